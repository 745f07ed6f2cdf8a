-- Fills the feedback_org_month rollup from feedback_distributions for the organisations given (all when NULL).
INSERT INTO feedback_org_month
SELECT period_start, period_grain, org_id, measure, {{stats}}
FROM feedback_distributions
WHERE $org_ids IS NULL OR org_id = ANY($org_ids)
GROUP BY ALL
ORDER BY org_id, period_start, measure
