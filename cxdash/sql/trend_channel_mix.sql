-- Responses to one measure per period and channel for one organisation over the whole history:
-- period is the month, or with $quarterly the calendar quarter (monthly counts summed into it).
SELECT CAST(CASE WHEN $quarterly AND period_grain = 'month' THEN date_trunc('quarter', period_start)
                 ELSE period_start END AS DATE) AS period,
       channel,
       sum(responses) AS responses
FROM feedback_distributions
WHERE org_id = $org_id
  AND measure = $measure
  AND ($service_id IS NULL OR service_id = $service_id)
  AND ($stage IS NULL OR stage = $stage)
GROUP BY ALL
ORDER BY period, channel
