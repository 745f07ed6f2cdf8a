-- Broken references and contradictions: one row per kind of problem with how many rows it affects and an example.
WITH problems AS (
    SELECT 'service without a known organisation' AS problem, service_id AS example FROM services
    WHERE org_id NOT IN (SELECT org_id FROM organisations)
    UNION ALL
    SELECT 'feedback for an unknown organisation', org_id FROM feedback_distributions
    WHERE org_id NOT IN (SELECT org_id FROM organisations)
    UNION ALL
    SELECT 'feedback for an unknown service', service_id FROM feedback_distributions
    WHERE service_id NOT IN (SELECT service_id FROM services)
    UNION ALL
    SELECT 'feedback for an unknown channel', channel FROM feedback_distributions
    WHERE channel NOT IN (SELECT channel FROM channels)
    UNION ALL
    SELECT 'feedback for an unknown journey stage', stage FROM feedback_distributions
    WHERE stage NOT IN (SELECT stage FROM journey_stages)
    UNION ALL
    SELECT 'feedback for an unknown measure', measure FROM feedback_distributions
    WHERE measure NOT IN (SELECT measure FROM measures)
    UNION ALL
    SELECT 'feedback on a different scale from its measure', f.measure FROM feedback_distributions f
    JOIN measures m USING (measure) WHERE f.scale_min <> m.scale_min OR f.scale_max <> m.scale_max
    UNION ALL
    SELECT 'assessment answer for an unknown organisation', org_id FROM assessment_responses
    WHERE org_id NOT IN (SELECT org_id FROM organisations)
    UNION ALL
    SELECT 'assessment answer to a statement not in its framework', a.framework_id || '/' || a.statement_id
    FROM assessment_responses a ANTI JOIN statements s USING (framework_id, statement_id)
    UNION ALL
    SELECT 'assessment answer with an unknown role', respondent_role FROM assessment_responses
    WHERE respondent_role NOT IN (SELECT role FROM respondent_roles)
    UNION ALL
    SELECT 'comment for an unknown organisation', org_id FROM comments
    WHERE org_id NOT IN (SELECT org_id FROM organisations)
)
SELECT problem, count(*) AS "rows", min(example) AS example
FROM problems
GROUP BY problem
ORDER BY problem
