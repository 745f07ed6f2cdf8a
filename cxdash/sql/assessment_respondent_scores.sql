-- Each respondent's mean answer (1-5) and statements answered, per round, for one organisation and framework.
SELECT round_date, respondent_id, respondent_role, avg(score) AS mean_score, count(*) AS answers
FROM assessment_responses
WHERE framework_id = $framework_id AND org_id = $org_id
GROUP BY round_date, respondent_id, respondent_role
ORDER BY round_date, respondent_id
