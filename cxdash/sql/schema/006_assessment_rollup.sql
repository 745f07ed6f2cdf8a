-- Schema version 6: assessment_statement_sums, each statement's answers added up per framework, organisation and
-- assessment round (about 63 thousand rows at the 10 million demo's 500 organisations, instead of 820 thousand
-- answers). Pillar scores and the frameworks' summary read it (assessment_pillar_sums.sql, framework_summary.sql).
-- Every write of assessment answers (imports, workshop submissions, the demo build) keeps it up to date in the same
-- transaction (cxdash.rollups.refresh_assessments); the check command compares it with the answers.
CREATE TABLE assessment_statement_sums (
    framework_id VARCHAR NOT NULL,
    org_id VARCHAR NOT NULL,
    round_date DATE NOT NULL,
    statement_id VARCHAR NOT NULL,
    respondents BIGINT NOT NULL,
    score_sum BIGINT NOT NULL
);

INSERT INTO assessment_statement_sums
SELECT framework_id, org_id, round_date, statement_id, count(*), sum(score)
FROM assessment_responses
GROUP BY ALL
ORDER BY ALL;
