-- The respondent, session and answer count of a submission already saved (no row when it is new):
-- respondent_id, session_id, answers.
SELECT respondent_id, session_id, answers FROM workshop_submissions WHERE submission_id = $submission_id
