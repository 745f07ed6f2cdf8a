-- Score-distribution statistics grouped by the chosen dimensions ({{dims}}: a whitelisted subset of
-- period_start, org_id, service_id, channel, stage, measure), over the filters given; NULL filters mean all.
SELECT {{dims}}, {{stats}}
FROM feedback_distributions
WHERE ($start IS NULL OR period_start >= $start)
  AND ($end IS NULL OR period_start <= $end)
  AND ($org_ids IS NULL OR org_id = ANY($org_ids))
  AND ($service_id IS NULL OR service_id = $service_id)
  AND ($channel IS NULL OR channel = $channel)
  AND ($stage IS NULL OR stage = $stage)
  AND ($measures IS NULL OR measure = ANY($measures))
GROUP BY {{dims}}
ORDER BY {{dims}}
