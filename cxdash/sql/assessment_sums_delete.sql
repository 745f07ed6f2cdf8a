-- Clears assessment_statement_sums for the organisations in $org_ids (every organisation when NULL).
DELETE FROM assessment_statement_sums WHERE $org_ids IS NULL OR org_id = ANY($org_ids)
