-- The questionnaire of one framework in order: pillar_id, pillar (name), pillar_description, pillar_order,
-- statement_id, text.
SELECT s.pillar_id, p.name AS pillar, p.description AS pillar_description, p.sort_order AS pillar_order,
       s.statement_id, s.text
FROM statements s
JOIN pillars p USING (framework_id, pillar_id)
WHERE s.framework_id = $framework_id
ORDER BY p.sort_order, s.sort_order
