-- Fills assessment_statement_sums from assessment_responses for the organisations in $org_ids (every organisation
-- when NULL): per framework, organisation, round and statement, how many answered and their scores added up.
INSERT INTO assessment_statement_sums
SELECT framework_id, org_id, round_date, statement_id, count(*), sum(score)
FROM assessment_responses
WHERE $org_ids IS NULL OR org_id = ANY($org_ids)
GROUP BY ALL
ORDER BY ALL
