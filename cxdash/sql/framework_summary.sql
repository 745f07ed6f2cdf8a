-- Frameworks held: id, name, version, pillars, statements, assessment rounds and organisations assessed
-- (rounds from the assessment_statement_sums rollup: the same rounds as the answers, in far fewer rows).
WITH rounds AS (
    SELECT framework_id, count(*) AS rounds, count(DISTINCT org_id) AS organisations,
           min(round_date) AS first_round, max(round_date) AS last_round
    FROM (SELECT DISTINCT framework_id, org_id, round_date FROM assessment_statement_sums)
    GROUP BY framework_id
),
pillar_counts AS (SELECT framework_id, count(*) AS pillars FROM pillars GROUP BY framework_id),
statement_counts AS (SELECT framework_id, count(*) AS statements FROM statements GROUP BY framework_id)
SELECT f.framework_id, f.name, f.version,
       coalesce(p.pillars, 0) AS pillars,
       coalesce(s.statements, 0) AS statements,
       coalesce(r.rounds, 0) AS rounds,
       coalesce(r.organisations, 0) AS organisations_assessed,
       r.first_round,
       r.last_round
FROM frameworks f
LEFT JOIN pillar_counts p USING (framework_id)
LEFT JOIN statement_counts s USING (framework_id)
LEFT JOIN rounds r USING (framework_id)
ORDER BY f.framework_id
