-- Schema version 1: reference data, frameworks, assessments, feedback distributions, comments.
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

CREATE TABLE organisations (
    org_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    sector VARCHAR NOT NULL,
    region VARCHAR NOT NULL,
    size_band VARCHAR NOT NULL,
    org_type VARCHAR NOT NULL,
    parent VARCHAR,
    country VARCHAR,
    import_id INTEGER
);

CREATE TABLE services (
    service_id VARCHAR PRIMARY KEY,
    org_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    category VARCHAR,
    import_id INTEGER
);

CREATE TABLE channels (
    channel VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    is_digital BOOLEAN NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE journey_stages (
    stage VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE measures (
    measure VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    family VARCHAR NOT NULL,      -- three_es, outcome, recommend, driver
    scale_min TINYINT NOT NULL,
    scale_max TINYINT NOT NULL,
    description VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE respondent_roles (
    role VARCHAR PRIMARY KEY,
    label VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE frameworks (
    framework_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    version VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL
);

CREATE TABLE framework_scale (
    framework_id VARCHAR NOT NULL,
    value TINYINT NOT NULL,
    label VARCHAR NOT NULL,
    descriptor VARCHAR NOT NULL,
    PRIMARY KEY (framework_id, value)
);

CREATE TABLE pillars (
    framework_id VARCHAR NOT NULL,
    pillar_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    sort_order INTEGER NOT NULL,
    PRIMARY KEY (framework_id, pillar_id)
);

CREATE TABLE statements (
    framework_id VARCHAR NOT NULL,
    statement_id VARCHAR NOT NULL,
    pillar_id VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL,
    PRIMARY KEY (framework_id, statement_id)
);

CREATE TABLE stages (
    framework_id VARCHAR NOT NULL,
    level TINYINT NOT NULL,
    name VARCHAR NOT NULL,
    min_score DOUBLE NOT NULL,
    descriptor VARCHAR NOT NULL,
    PRIMARY KEY (framework_id, level)
);

CREATE TABLE recommendations (
    framework_id VARCHAR NOT NULL,
    pillar_id VARCHAR NOT NULL,
    stage_level TINYINT NOT NULL,   -- the stage the organisation is at now
    text VARCHAR NOT NULL,
    PRIMARY KEY (framework_id, pillar_id, stage_level)
);

-- One row per respondent per statement per assessment round.
CREATE TABLE assessment_responses (
    framework_id VARCHAR NOT NULL,
    org_id VARCHAR NOT NULL,
    service_id VARCHAR,
    round_date DATE NOT NULL,
    respondent_id VARCHAR NOT NULL,
    respondent_role VARCHAR NOT NULL,
    statement_id VARCHAR NOT NULL,
    score TINYINT NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment VARCHAR,
    import_id INTEGER
);

-- Citizen feedback as score distributions: how many answered each score.
CREATE TABLE feedback_distributions (
    period_start DATE NOT NULL,
    period_grain VARCHAR NOT NULL CHECK (period_grain IN ('month', 'quarter')),
    org_id VARCHAR NOT NULL,
    service_id VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    scale_min TINYINT NOT NULL,
    scale_max TINYINT NOT NULL,
    score TINYINT NOT NULL,
    responses BIGINT NOT NULL CHECK (responses >= 0),
    import_id INTEGER,
    CHECK (score BETWEEN scale_min AND scale_max)
);

CREATE TABLE comments (
    comment_id VARCHAR PRIMARY KEY,
    comment_date DATE NOT NULL,
    org_id VARCHAR NOT NULL,
    service_id VARCHAR,
    channel VARCHAR,
    stage VARCHAR,
    text VARCHAR NOT NULL,
    satisfaction TINYINT,
    ease TINYINT,
    effectiveness TINYINT,
    emotion TINYINT,
    trust TINYINT,
    recommend TINYINT,
    import_id INTEGER
);

CREATE TABLE imports (
    import_id INTEGER PRIMARY KEY,
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_written BIGINT NOT NULL,
    rows_replaced BIGINT NOT NULL,
    imported_at TIMESTAMP NOT NULL
);

INSERT INTO channels VALUES
    ('web', 'Website', TRUE, 1),
    ('app', 'Mobile app', TRUE, 2),
    ('email', 'Email', TRUE, 3),
    ('phone', 'Phone', FALSE, 4),
    ('automated_phone', 'Automated phone', FALSE, 5),
    ('face_to_face', 'Face to face', FALSE, 6),
    ('post', 'Post', FALSE, 7),
    ('multiple', 'Several channels', FALSE, 8),
    ('not_recorded', 'Channel not recorded', FALSE, 9);

INSERT INTO journey_stages VALUES
    ('find_out', 'Finding out', 'Looking for information about the service and whether it applies.', 1),
    ('apply', 'Applying', 'Making the request, application or report.', 2),
    ('wait', 'Waiting', 'Waiting for a decision, appointment or action, including chasing progress.', 3),
    ('receive', 'Receiving', 'Getting the outcome, service or decision.', 4),
    ('follow_up', 'Follow-up', 'Resolving problems, complaints and anything left over.', 5),
    ('whole_journey', 'Whole journey', 'Feedback about the service as a whole, with no journey stage recorded.', 6);

INSERT INTO measures VALUES
    ('satisfaction', 'Satisfaction', 'outcome', 1, 5, 'Overall satisfaction with the service.', 1),
    ('ease', 'Ease', 'three_es', 1, 5, 'It was easy to do what I needed to do.', 2),
    ('effectiveness', 'Effectiveness', 'three_es', 1, 5, 'My need was met.', 3),
    ('emotion', 'Emotion', 'three_es', 1, 5, 'How the experience made me feel (valued, respected, not anxious).', 4),
    ('trust', 'Trust', 'outcome', 1, 5, 'I trust the organisation to do the right thing.', 5),
    ('recommend', 'Likelihood to recommend', 'recommend', 0, 10, 'How likely I am to recommend the service (0-10), for Net Promoter Score.', 6),
    ('efficiency', 'Efficiency', 'driver', 1, 5, 'It took a reasonable amount of time (A-11 efficiency/speed).', 7),
    ('equity', 'Equity', 'driver', 1, 5, 'I was treated fairly (A-11 equity/transparency).', 8),
    ('employee_helpfulness', 'Employee helpfulness', 'driver', 1, 5, 'Staff I dealt with were helpful (A-11).', 9);

INSERT INTO respondent_roles VALUES
    ('board', 'Board', 1),
    ('executive', 'Executive team', 2),
    ('manager', 'Manager', 3),
    ('frontline', 'Front line', 4),
    ('other', 'Other', 5);

INSERT INTO meta VALUES ('data_version', '0');
