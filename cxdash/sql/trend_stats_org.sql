-- trend_stats without service, channel or stage filters, from the feedback_org_month rollup: score-distribution
-- statistics of one measure per period (month, or with $quarterly the calendar quarter) and organisation.
SELECT CAST(CASE WHEN $quarterly AND period_grain = 'month' THEN date_trunc('quarter', period_start)
                 ELSE period_start END AS DATE) AS period,
       org_id,
       {{rollup_stats}}
FROM feedback_org_month
WHERE org_id = ANY($org_ids)
  AND measure = $measure
GROUP BY ALL
ORDER BY period, org_id
