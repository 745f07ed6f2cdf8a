-- Writes: closes one workshop session if it is open; returns the number of sessions closed (0 or 1) as count.
UPDATE workshop_sessions
SET status = 'closed', closed_at = now()::TIMESTAMP
WHERE session_id = $session_id AND status = 'open'
