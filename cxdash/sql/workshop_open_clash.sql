-- Join code of a session already open for the same organisation, framework and date (none when free): join_code.
SELECT join_code
FROM workshop_sessions
WHERE org_id = $org_id AND framework_id = $framework_id AND round_date = $round_date AND status = 'open'
