-- Score-distribution statistics per measure over a date range (all organisations when $org_id is NULL).
WITH stats AS (
    SELECT measure, {{rollup_stats}}
    FROM feedback_org_month
    WHERE period_start BETWEEN $start AND $end
      AND ($org_id IS NULL OR org_id = $org_id)
    GROUP BY measure
)
SELECT s.*, m.label, m.family, m.sort_order
FROM stats s
JOIN measures m USING (measure)
ORDER BY m.sort_order
