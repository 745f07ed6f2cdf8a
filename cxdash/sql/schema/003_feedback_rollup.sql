-- Schema version 3: feedback_org_month, the score-distribution statistics of feedback_distributions summed per
-- period, organisation and measure. Pages that do not filter by service, channel or stage read it instead of
-- the distributions (a few hundred thousand rows instead of tens of millions). Every write of feedback keeps
-- it up to date (cxdash.rollups.refresh_feedback); `python -m cxdash check` reports any difference.
CREATE TABLE feedback_org_month (
    period_start DATE NOT NULL,
    period_grain VARCHAR NOT NULL,
    org_id VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    n BIGINT NOT NULL,
    sum_score BIGINT NOT NULL,
    sum_score_sq BIGINT NOT NULL,
    top2 BIGINT NOT NULL,
    bottom2 BIGINT NOT NULL,
    promoters BIGINT NOT NULL,
    detractors BIGINT NOT NULL,
    scale_min TINYINT NOT NULL,
    scale_max TINYINT NOT NULL
);

INSERT INTO feedback_org_month
SELECT period_start, period_grain, org_id, measure, {{stats}}
FROM feedback_distributions
GROUP BY ALL
ORDER BY org_id, period_start, measure;
