-- Participants' comments in one workshop session, oldest first: comment.
SELECT comment
FROM workshop_submissions
WHERE session_id = $session_id AND nullif(trim(comment), '') IS NOT NULL
ORDER BY submitted_at, submission_id
