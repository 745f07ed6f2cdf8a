-- Writes: a new open workshop session (returns nothing).
INSERT INTO workshop_sessions (session_id, join_code, framework_id, org_id, name, round_date, status, opened_at)
VALUES ($session_id, $join_code, $framework_id, $org_id, $name, $round_date, 'open', now()::TIMESTAMP)
