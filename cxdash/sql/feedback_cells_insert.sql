-- Fills the feedback_cells rollup from feedback_distributions for the organisations given (all when NULL).
INSERT INTO feedback_cells
SELECT org_id, service_id, channel, stage, measure, scale_min, scale_max, count(*)
FROM feedback_distributions
WHERE $org_ids IS NULL OR org_id = ANY($org_ids)
GROUP BY ALL
ORDER BY ALL
