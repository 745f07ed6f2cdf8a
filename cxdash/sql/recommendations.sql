-- Recommendations of one framework: pillar_id, stage_level (the stage the pillar is at now), text.
SELECT pillar_id, stage_level, text
FROM recommendations
WHERE framework_id = $framework_id
ORDER BY pillar_id, stage_level
