-- What pillar scores are computed from (metrics.pillar_sums), per organisation, assessment round and pillar
-- of one framework: the statements' mean scores added up, how many statements were answered, and the most
-- respondents to any statement. Read from the assessment_statement_sums rollup (each statement's answers
-- already added up per round), so neither every answer nor every statement's mean reaches the app.
-- $org_id: one organisation's rounds, or NULL for every organisation.
SELECT a.org_id, a.round_date, s.pillar_id,
       sum(a.score_sum / a.respondents) AS sum_of_means, count(*) AS statements, max(a.respondents) AS respondents
FROM assessment_statement_sums a
JOIN statements s USING (framework_id, statement_id)
WHERE a.framework_id = $framework_id AND ($org_id IS NULL OR a.org_id = $org_id)
GROUP BY a.org_id, a.round_date, s.pillar_id
