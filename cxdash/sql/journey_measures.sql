-- Measures holding feedback for one organisation (every organisation when $org_id is NULL):
-- measure, label, family, scale_min, scale_max, sort_order, in measure order.
SELECT m.measure, m.label, m.family, m.scale_min, m.scale_max, m.sort_order
FROM measures m
WHERE m.measure IN (
    SELECT DISTINCT measure FROM feedback_distributions WHERE $org_id IS NULL OR org_id = $org_id
)
ORDER BY m.sort_order
