-- Mean score and responses per cell and measure: a cell is organisation x service x channel x stage, and also the
-- period when $by_period; only the measures in $measures and only cell-measures with at least $min_n responses.
SELECT org_id,
       service_id,
       channel,
       stage,
       CASE WHEN $by_period THEN period_start END AS period_start,
       measure,
       sum(responses) AS n,
       sum(responses * score) / sum(responses) AS mean
FROM feedback_distributions
WHERE period_start BETWEEN $start AND $end
  AND ($org_ids IS NULL OR org_id = ANY($org_ids))
  AND measure = ANY($measures)
GROUP BY ALL
HAVING sum(responses) >= $min_n
