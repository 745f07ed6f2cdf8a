-- The sufficient statistics of stats.sql summed again over rows of the feedback_org_month rollup (which holds
-- them per period, organisation and measure). Inlined as {{rollup_stats}}.
    sum(n) AS n,
    sum(sum_score) AS sum_score,
    sum(sum_score_sq) AS sum_score_sq,
    sum(top2) AS top2,
    sum(bottom2) AS bottom2,
    sum(promoters) AS promoters,
    sum(detractors) AS detractors,
    min(scale_min) AS scale_min,
    max(scale_max) AS scale_max
