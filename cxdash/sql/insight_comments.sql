-- Every comment with what the theme model and its summaries need: id, date, organisation, service (id and name),
-- channel, stage, satisfaction score and text, by comment_id.
SELECT c.comment_id,
       c.comment_date,
       c.org_id,
       c.service_id,
       s.name AS service,
       c.channel,
       c.stage,
       c.satisfaction,
       c.text
FROM comments c
LEFT JOIN services s ON s.service_id = c.service_id
ORDER BY c.comment_id
