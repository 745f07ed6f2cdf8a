-- How many rows of the assessment_statement_sums rollup differ from assessment_responses summed again (0: in step).
WITH fresh AS (
    SELECT framework_id, org_id, round_date, statement_id, count(*) AS respondents, sum(score) AS score_sum
    FROM assessment_responses
    GROUP BY ALL
)
SELECT count(*) AS differences
FROM ((SELECT * FROM fresh EXCEPT ALL SELECT * FROM assessment_statement_sums)
      UNION ALL
      (SELECT * FROM assessment_statement_sums EXCEPT ALL SELECT * FROM fresh))
