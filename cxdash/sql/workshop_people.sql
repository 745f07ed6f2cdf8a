-- Submissions to one workshop session per respondent role: role, label, role_order, respondents.
SELECT s.respondent_role AS role,
       coalesce(r.label, s.respondent_role) AS label,
       coalesce(r.sort_order, 99) AS role_order,
       count(*) AS respondents
FROM workshop_submissions s
LEFT JOIN respondent_roles r ON r.role = s.respondent_role
WHERE s.session_id = $session_id
GROUP BY ALL
ORDER BY role_order, role
