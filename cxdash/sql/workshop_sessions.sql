-- Workshop sessions, open ones first then newest, with submissions so far: session_id, join_code, framework_id, org_id,
-- org_name, name, round_date, status, opened_at, closed_at, submissions. $org_id, $framework_id, $status and
-- $join_code narrow the list; NULL means any.
SELECT w.session_id, w.join_code, w.framework_id, w.org_id, coalesce(o.name, w.org_id) AS org_name, w.name,
       w.round_date, w.status, w.opened_at, w.closed_at,
       (SELECT count(*) FROM workshop_submissions s WHERE s.session_id = w.session_id) AS submissions
FROM workshop_sessions w
LEFT JOIN organisations o USING (org_id)
WHERE ($org_id IS NULL OR w.org_id = $org_id)
  AND ($framework_id IS NULL OR w.framework_id = $framework_id)
  AND ($status IS NULL OR w.status = $status)
  AND ($join_code IS NULL OR w.join_code = $join_code)
ORDER BY w.status = 'open' DESC, w.opened_at DESC
