-- Schema version 5: feedback_cells, one row per distinct organisation, service, channel, stage, measure and
-- scale of feedback_distributions with how many distribution rows it has (about 400 thousand rows at 10 million
-- responses, instead of 23 million). The consistency check (inconsistencies.sql) reads it, so the Data page and
-- `python -m cxdash check` do not scan every row. Every write of feedback keeps it up to date in the same
-- transaction, with feedback_org_month (cxdash.rollups.refresh_feedback); the check command compares both
-- rollups with the distributions.
CREATE TABLE feedback_cells (
    org_id VARCHAR NOT NULL,
    service_id VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    scale_min TINYINT NOT NULL,
    scale_max TINYINT NOT NULL,
    "rows" BIGINT NOT NULL
);

INSERT INTO feedback_cells
SELECT org_id, service_id, channel, stage, measure, scale_min, scale_max, count(*)
FROM feedback_distributions
GROUP BY ALL
ORDER BY ALL;
