-- Per statement answered in one workshop session (only one respondent's answers when $respondent_id is set):
-- pillar_id, statement_id, mean_score (1-5), respondents, answers_1 .. answers_5 (count per score).
SELECT s.pillar_id, a.statement_id,
       avg(a.score) AS mean_score,
       count(DISTINCT a.respondent_id) AS respondents,
       count(*) FILTER (WHERE a.score = 1) AS answers_1,
       count(*) FILTER (WHERE a.score = 2) AS answers_2,
       count(*) FILTER (WHERE a.score = 3) AS answers_3,
       count(*) FILTER (WHERE a.score = 4) AS answers_4,
       count(*) FILTER (WHERE a.score = 5) AS answers_5
FROM assessment_responses a
JOIN statements s USING (framework_id, statement_id)
WHERE a.session_id = $session_id
  AND ($respondent_id IS NULL OR a.respondent_id = $respondent_id)
GROUP BY s.pillar_id, a.statement_id
ORDER BY s.pillar_id, a.statement_id
