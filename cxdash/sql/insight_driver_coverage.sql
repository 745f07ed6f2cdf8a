-- Cells and respondents of the outcome measure at two cell grains, 'period' (organisation x service x channel x
-- stage x period) and 'pooled' (periods added up), counting only cells with at least $min_n responses.
WITH by_period AS (
    SELECT org_id, service_id, channel, stage, period_start, sum(responses) AS n
    FROM feedback_distributions
    WHERE measure = $outcome
      AND period_start BETWEEN $start AND $end
      AND ($org_ids IS NULL OR org_id = ANY($org_ids))
    GROUP BY org_id, service_id, channel, stage, period_start
),
pooled AS (
    SELECT org_id, service_id, channel, stage, sum(n) AS n
    FROM by_period
    GROUP BY org_id, service_id, channel, stage
)
SELECT 'period' AS grain,
       count(*) FILTER (WHERE n >= $min_n) AS cells,
       coalesce(sum(n) FILTER (WHERE n >= $min_n), 0) AS respondents
FROM by_period
UNION ALL
SELECT 'pooled', count(*) FILTER (WHERE n >= $min_n), coalesce(sum(n) FILTER (WHERE n >= $min_n), 0)
FROM pooled
