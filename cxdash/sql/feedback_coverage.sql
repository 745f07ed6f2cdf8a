-- Feedback periods covered: per period grain, first and last period, periods, organisations and respondents.
SELECT period_grain,
       min(period_start) AS first_period,
       max(period_start) AS last_period,
       count(DISTINCT period_start) AS periods,
       count(DISTINCT org_id) AS organisations,
       coalesce(sum(responses) FILTER (WHERE measure = 'satisfaction'), 0) AS satisfaction_responses,
       sum(responses) AS answers
FROM feedback_distributions
GROUP BY period_grain
ORDER BY period_grain
