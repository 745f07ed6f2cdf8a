-- insight_comments with the stored theme, strength and sentiment of each comment (comment_themes), by comment_id.
SELECT c.comment_id,
       c.comment_date,
       c.org_id,
       c.service_id,
       s.name AS service,
       c.channel,
       c.stage,
       c.satisfaction,
       c.text,
       t.theme,
       t.strength,
       t.sentiment
FROM comments c
LEFT JOIN services s ON s.service_id = c.service_id
JOIN comment_themes t ON t.comment_id = c.comment_id
ORDER BY c.comment_id
