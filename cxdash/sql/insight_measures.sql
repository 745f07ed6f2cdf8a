-- Measures holding feedback in a window for the organisations given (all when $org_ids is NULL): measure, label,
-- family, scale_min, scale_max, sort_order and responses, in measure order.
SELECT m.measure, m.label, m.family, m.scale_min, m.scale_max, m.sort_order, sum(f.n) AS responses
FROM feedback_org_month f
JOIN measures m USING (measure)
WHERE ($start IS NULL OR f.period_start >= $start)
  AND ($end IS NULL OR f.period_start <= $end)
  AND ($org_ids IS NULL OR f.org_id = ANY($org_ids))
GROUP BY ALL
ORDER BY m.sort_order
