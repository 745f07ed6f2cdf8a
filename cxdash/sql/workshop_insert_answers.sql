-- Writes: one participant's answers as rows of the session's assessment round, one per statement (returns nothing).
INSERT INTO assessment_responses (framework_id, org_id, service_id, round_date, respondent_id, respondent_role,
                                  statement_id, score, comment, import_id, session_id)
SELECT w.framework_id, w.org_id, NULL, w.round_date, $respondent_id, $role, a.statement_id, a.score, NULL, NULL,
       w.session_id
FROM workshop_sessions w,
     (SELECT unnest($statement_ids::VARCHAR[]) AS statement_id, unnest($scores::TINYINT[]) AS score) a
WHERE w.session_id = $session_id
