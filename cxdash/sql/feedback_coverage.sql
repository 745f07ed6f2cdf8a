-- Feedback periods covered: per period grain, first and last period, periods, organisations and respondents.
SELECT period_grain,
       min(period_start) AS first_period,
       max(period_start) AS last_period,
       count(DISTINCT period_start) AS periods,
       count(DISTINCT org_id) AS organisations,
       coalesce(sum(n) FILTER (WHERE measure = 'satisfaction'), 0) AS satisfaction_responses,
       sum(n) AS answers
FROM feedback_org_month
GROUP BY period_grain
ORDER BY period_grain
