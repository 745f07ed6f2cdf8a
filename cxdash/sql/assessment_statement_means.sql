-- Mean score (1-5) and respondents per organisation, assessment round and statement of one framework.
SELECT a.org_id, a.round_date, s.pillar_id, a.statement_id,
       avg(a.score) AS mean_score, count(*) AS respondents
FROM assessment_responses a
JOIN statements s USING (framework_id, statement_id)
WHERE a.framework_id = $framework_id
GROUP BY a.org_id, a.round_date, s.pillar_id, a.statement_id
