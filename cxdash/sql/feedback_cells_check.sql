-- How many rows of the feedback_cells rollup differ from feedback_distributions counted again (0: in step).
WITH fresh AS (
    SELECT org_id, service_id, channel, stage, measure, scale_min, scale_max, count(*) AS "rows"
    FROM feedback_distributions
    GROUP BY ALL
)
SELECT count(*) AS differences
FROM ((SELECT * FROM fresh EXCEPT ALL SELECT * FROM feedback_cells)
      UNION ALL
      (SELECT * FROM feedback_cells EXCEPT ALL SELECT * FROM fresh))
