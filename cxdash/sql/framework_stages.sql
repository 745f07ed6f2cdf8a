-- Maturity stages of one framework: level, name, min_score (0-100) and descriptor.
SELECT level, name, min_score, descriptor
FROM stages
WHERE framework_id = $framework_id
ORDER BY level
