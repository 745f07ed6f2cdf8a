-- The answer scale of one framework: value (1-5), label and descriptor, lowest first.
SELECT value, label, descriptor
FROM framework_scale
WHERE framework_id = $framework_id
ORDER BY value
