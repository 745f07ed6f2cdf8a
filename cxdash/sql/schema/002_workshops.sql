-- Schema version 2: live workshop sessions. A session's answers form one assessment round of its
-- organisation (round_date = the session's date); each participant's submission is recorded once.
CREATE TABLE workshop_sessions (
    session_id VARCHAR PRIMARY KEY,
    join_code VARCHAR NOT NULL UNIQUE,
    framework_id VARCHAR NOT NULL,
    org_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    round_date DATE NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);

-- One row per participant's submission; submission_id comes from the participant's browser, so a
-- resubmitted form (double click, retry) is recognised and not saved twice.
CREATE TABLE workshop_submissions (
    submission_id VARCHAR PRIMARY KEY,
    session_id VARCHAR NOT NULL,
    respondent_id VARCHAR NOT NULL,
    respondent_role VARCHAR NOT NULL,
    answers INTEGER NOT NULL,
    comment VARCHAR,
    submitted_at TIMESTAMP NOT NULL
);

-- Answers given in a workshop carry their session; imported answers leave it empty.
ALTER TABLE assessment_responses ADD COLUMN session_id VARCHAR;
