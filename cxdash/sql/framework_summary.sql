-- Frameworks held: id, name, version, pillars, statements, assessment rounds and organisations assessed
-- (rounds from the assessment_statement_sums rollup: the same rounds as the answers, in far fewer rows).
SELECT f.framework_id, f.name, f.version,
       (SELECT count(*) FROM pillars p WHERE p.framework_id = f.framework_id) AS pillars,
       (SELECT count(*) FROM statements s WHERE s.framework_id = f.framework_id) AS statements,
       (SELECT count(DISTINCT (a.org_id, a.round_date)) FROM assessment_statement_sums a
         WHERE a.framework_id = f.framework_id) AS rounds,
       (SELECT count(DISTINCT a.org_id) FROM assessment_statement_sums a
         WHERE a.framework_id = f.framework_id) AS organisations_assessed,
       (SELECT min(a.round_date) FROM assessment_statement_sums a WHERE a.framework_id = f.framework_id) AS first_round,
       (SELECT max(a.round_date) FROM assessment_statement_sums a WHERE a.framework_id = f.framework_id) AS last_round
FROM frameworks f
ORDER BY f.framework_id
