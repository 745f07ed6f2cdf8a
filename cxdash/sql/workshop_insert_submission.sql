-- Writes: records one participant's submission (returns nothing).
INSERT INTO workshop_submissions (submission_id, session_id, respondent_id, respondent_role, answers, comment, submitted_at)
VALUES ($submission_id, $session_id, $respondent_id, $role, $answers, $comment, now()::TIMESTAMP)
