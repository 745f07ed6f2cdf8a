-- The status ('open' or 'closed') and framework of one workshop session (no row when it does not exist):
-- status, framework_id.
SELECT status, framework_id FROM workshop_sessions WHERE session_id = $session_id
