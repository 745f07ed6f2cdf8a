-- Services of one organisation (all services when $org_id is NULL), by name.
SELECT service_id, org_id, name, category
FROM services
WHERE $org_id IS NULL OR org_id = $org_id
ORDER BY name
