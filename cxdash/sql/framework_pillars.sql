-- Pillars of one framework in display order: pillar_id, name, description, weight, sort_order.
SELECT pillar_id, name, description, weight, sort_order
FROM pillars
WHERE framework_id = $framework_id
ORDER BY sort_order
