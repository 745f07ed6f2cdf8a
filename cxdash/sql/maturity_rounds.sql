-- Assessment rounds of one organisation in one framework, newest first, with respondents per role:
-- round_date, role, label, role_order, respondents.
SELECT a.round_date,
       a.respondent_role AS role,
       coalesce(r.label, a.respondent_role) AS label,
       coalesce(r.sort_order, 99) AS role_order,
       count(DISTINCT a.respondent_id) AS respondents
FROM assessment_responses a
LEFT JOIN respondent_roles r ON r.role = a.respondent_role
WHERE a.framework_id = $framework_id
  AND a.org_id = $org_id
GROUP BY ALL
ORDER BY a.round_date DESC, role_order, role
