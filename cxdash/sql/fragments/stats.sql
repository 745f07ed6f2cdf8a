-- Sufficient statistics of score distributions (columns score, responses, scale_min, scale_max):
-- the one definition of top two, bottom two, promoter and detractor. Inlined as {{stats}}.
    sum(responses) AS n,
    sum(responses * score) AS sum_score,
    sum(responses * score * score) AS sum_score_sq,
    sum(CASE WHEN score >= scale_max - 1 THEN responses ELSE 0 END) AS top2,
    sum(CASE WHEN score <= scale_min + 1 THEN responses ELSE 0 END) AS bottom2,
    sum(CASE WHEN scale_min = 0 AND scale_max = 10 AND score >= 9 THEN responses ELSE 0 END) AS promoters,
    sum(CASE WHEN scale_min = 0 AND scale_max = 10 AND score <= 6 THEN responses ELSE 0 END) AS detractors,
    min(scale_min) AS scale_min,
    max(scale_max) AS scale_max
