-- What pillar scores are computed from (metrics.pillar_sums), per organisation, assessment round and pillar
-- of one framework: the statements' mean scores added up, how many statements were answered, and the most
-- respondents to any statement. Summed here so the app reads thousands of rows, not every statement's mean.
-- $org_id: one organisation's rounds, or NULL for every organisation.
SELECT org_id, round_date, pillar_id,
       sum(mean_score) AS sum_of_means, count(*) AS statements, max(respondents) AS respondents
FROM (
    SELECT a.org_id, a.round_date, s.pillar_id, a.statement_id,
           avg(a.score) AS mean_score, count(*) AS respondents
    FROM assessment_responses a
    JOIN statements s USING (framework_id, statement_id)
    WHERE a.framework_id = $framework_id AND ($org_id IS NULL OR a.org_id = $org_id)
    GROUP BY a.org_id, a.round_date, s.pillar_id, a.statement_id
)
GROUP BY org_id, round_date, pillar_id
