-- How many rows of the feedback_org_month rollup differ from feedback_distributions summed again (0: in step).
WITH fresh AS (
    SELECT period_start, period_grain, org_id, measure, {{stats}}
    FROM feedback_distributions
    GROUP BY ALL
)
SELECT count(*) AS differences
FROM ((SELECT * FROM fresh EXCEPT ALL SELECT * FROM feedback_org_month)
      UNION ALL
      (SELECT * FROM feedback_org_month EXCEPT ALL SELECT * FROM fresh))
