-- Broken references and contradictions: one row per kind of problem with how many rows it affects and an example.
-- Anti joins, not NOT IN: every column compared is NOT NULL, and an anti join is a plain hash join in DuckDB.
-- Feedback is checked through the feedback_cells rollup (each distinct organisation, service, channel, stage,
-- measure and scale with its count of distribution rows), so "rows" still counts distribution rows; assessment answers'
-- organisations and statements through the assessment_statement_sums rollup ("rows": its respondents, the answers).
WITH problems AS (
    SELECT 'service without a known organisation' AS problem, service_id AS example, 1 AS n
    FROM services ANTI JOIN organisations USING (org_id)
    UNION ALL
    SELECT 'feedback for an unknown organisation', org_id, "rows" FROM feedback_cells ANTI JOIN organisations USING (org_id)
    UNION ALL
    SELECT 'feedback for an unknown service', service_id, "rows" FROM feedback_cells ANTI JOIN services USING (service_id)
    UNION ALL
    SELECT 'feedback for an unknown channel', channel, "rows" FROM feedback_cells ANTI JOIN channels USING (channel)
    UNION ALL
    SELECT 'feedback for an unknown journey stage', stage, "rows" FROM feedback_cells ANTI JOIN journey_stages USING (stage)
    UNION ALL
    SELECT 'feedback for an unknown measure', measure, "rows" FROM feedback_cells ANTI JOIN measures USING (measure)
    UNION ALL
    SELECT 'feedback on a different scale from its measure', f.measure, f."rows" FROM feedback_cells f
    JOIN measures m USING (measure) WHERE f.scale_min <> m.scale_min OR f.scale_max <> m.scale_max
    UNION ALL
    SELECT 'assessment answer for an unknown organisation', org_id, respondents FROM assessment_statement_sums
    ANTI JOIN organisations USING (org_id)
    UNION ALL
    SELECT 'assessment answer to a statement not in its framework', a.framework_id || '/' || a.statement_id,
           a.respondents
    FROM assessment_statement_sums a ANTI JOIN statements s USING (framework_id, statement_id)
    UNION ALL
    SELECT 'assessment answer with an unknown role', a.respondent_role, 1 FROM assessment_responses a
    ANTI JOIN respondent_roles r ON r.role = a.respondent_role
    UNION ALL
    SELECT 'comment for an unknown organisation', org_id, 1 FROM comments ANTI JOIN organisations USING (org_id)
)
SELECT problem, sum(n)::BIGINT AS "rows", min(example) AS example
FROM problems
GROUP BY problem
ORDER BY problem
