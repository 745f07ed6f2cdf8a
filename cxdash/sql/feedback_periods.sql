-- Period starts that hold feedback, with their grain (month or quarter), oldest first.
SELECT DISTINCT period_start, period_grain
FROM feedback_org_month
ORDER BY period_start
