-- Rows per table: one row per table with its row count.
SELECT 'organisations' AS "table", count(*) AS "rows" FROM organisations
UNION ALL SELECT 'services', count(*) FROM services
UNION ALL SELECT 'frameworks', count(*) FROM frameworks
UNION ALL SELECT 'statements', count(*) FROM statements
UNION ALL SELECT 'assessment_responses', count(*) FROM assessment_responses
UNION ALL SELECT 'feedback_distributions', count(*) FROM feedback_distributions
UNION ALL SELECT 'comments', count(*) FROM comments
UNION ALL SELECT 'imports', count(*) FROM imports
