-- feedback_stats_by without service, channel or stage filters, from the feedback_org_month rollup: statistics
-- grouped by {{dims}} (a whitelisted subset of period_start, org_id, measure) over the filters given.
SELECT {{dims}}, {{rollup_stats}}
FROM feedback_org_month
WHERE ($start IS NULL OR period_start >= $start)
  AND ($end IS NULL OR period_start <= $end)
  AND ($org_ids IS NULL OR org_id = ANY($org_ids))
  AND ($measures IS NULL OR measure = ANY($measures))
GROUP BY {{dims}}
ORDER BY {{dims}}
