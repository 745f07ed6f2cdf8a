-- Mean score (1-5) per respondent role and statement in one workshop session: role, pillar_id, statement_id,
-- mean_score, respondents, pillar_respondents (people of that role who answered any statement of the pillar).
WITH answers AS (
    SELECT a.respondent_role AS role, s.pillar_id, a.statement_id, a.respondent_id, a.score
    FROM assessment_responses a
    JOIN statements s USING (framework_id, statement_id)
    WHERE a.session_id = $session_id
),
people AS (
    SELECT role, pillar_id, count(DISTINCT respondent_id) AS pillar_respondents
    FROM answers
    GROUP BY role, pillar_id
)
SELECT role, pillar_id, statement_id,
       avg(score) AS mean_score,
       count(DISTINCT respondent_id) AS respondents,
       any_value(people.pillar_respondents) AS pillar_respondents
FROM answers
JOIN people USING (role, pillar_id)
GROUP BY role, pillar_id, statement_id
ORDER BY role, pillar_id, statement_id
