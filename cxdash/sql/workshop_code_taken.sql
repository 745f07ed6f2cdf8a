-- How many sessions already use a join code (0 or 1): taken.
SELECT count(*) AS taken FROM workshop_sessions WHERE join_code = $join_code
