-- Every organisation with its peer-group attributes, by name.
SELECT org_id, name, sector, region, size_band, org_type, parent, country
FROM organisations
ORDER BY name
