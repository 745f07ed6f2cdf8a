-- Every statement of one framework with one organisation's answers in one round: pillar_id, statement_id,
-- text, sort_order, respondents, mean_score (1-5, NULL if unanswered), answers_1 .. answers_5 (count per score).
SELECT s.pillar_id, s.statement_id, s.text, s.sort_order,
       count(a.score) AS respondents,
       avg(a.score) AS mean_score,
       count(*) FILTER (WHERE a.score = 1) AS answers_1,
       count(*) FILTER (WHERE a.score = 2) AS answers_2,
       count(*) FILTER (WHERE a.score = 3) AS answers_3,
       count(*) FILTER (WHERE a.score = 4) AS answers_4,
       count(*) FILTER (WHERE a.score = 5) AS answers_5
FROM statements s
JOIN pillars p USING (framework_id, pillar_id)
LEFT JOIN assessment_responses a
       ON a.framework_id = s.framework_id
      AND a.statement_id = s.statement_id
      AND a.org_id = $org_id
      AND a.round_date = $round_date
WHERE s.framework_id = $framework_id
GROUP BY s.pillar_id, s.statement_id, s.text, s.sort_order, p.sort_order
ORDER BY p.sort_order, s.sort_order
