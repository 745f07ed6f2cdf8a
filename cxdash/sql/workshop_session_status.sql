-- The status ('open' or 'closed'), framework and organisation of one workshop session (no row when it does not
-- exist): status, framework_id, org_id.
SELECT status, framework_id, org_id FROM workshop_sessions WHERE session_id = $session_id
