-- Frameworks held: framework_id, name, version, description.
SELECT framework_id, name, version, description
FROM frameworks
ORDER BY framework_id
