-- Score-distribution statistics of one measure per period and organisation over the whole history:
-- period is the month, or with $quarterly the calendar quarter (monthly counts summed into it).
-- $service_id narrows only $org_id's own rows (peers have other services); NULL filters mean all.
SELECT CAST(CASE WHEN $quarterly AND period_grain = 'month' THEN date_trunc('quarter', period_start)
                 ELSE period_start END AS DATE) AS period,
       org_id,
       {{stats}}
FROM feedback_distributions
WHERE org_id = ANY($org_ids)
  AND measure = $measure
  AND ($service_id IS NULL OR org_id <> $org_id OR service_id = $service_id)
  AND ($channel IS NULL OR channel = $channel)
  AND ($stage IS NULL OR stage = $stage)
GROUP BY ALL
ORDER BY period, org_id
