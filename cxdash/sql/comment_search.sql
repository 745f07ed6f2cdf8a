-- Comments matching the filters and a text pattern (NULL filters mean all), newest first, at most $limit rows;
-- each row carries `total`, the number of comments matching before the limit. $pattern is an ILIKE pattern with
-- backslash as the escape character; $end is exclusive (the day after the window ends).
SELECT c.comment_id,
       c.comment_date,
       c.service_id,
       s.name AS service,
       c.channel,
       ch.label AS channel_label,
       c.stage,
       js.label AS stage_label,
       c.satisfaction,
       c.ease,
       c.effectiveness,
       c.emotion,
       c.trust,
       c.recommend,
       c.text,
       count(*) OVER () AS total
FROM comments c
LEFT JOIN services s ON s.service_id = c.service_id
LEFT JOIN channels ch ON ch.channel = c.channel
LEFT JOIN journey_stages js ON js.stage = c.stage
WHERE ($org_id IS NULL OR c.org_id = $org_id)
  AND ($start IS NULL OR c.comment_date >= $start)
  AND ($end IS NULL OR c.comment_date < $end)
  AND ($service_id IS NULL OR c.service_id = $service_id)
  AND ($channel IS NULL OR c.channel = $channel)
  AND ($stage IS NULL OR c.stage = $stage)
  AND ($pattern IS NULL OR c.text ILIKE $pattern ESCAPE '\')
ORDER BY c.comment_date DESC, c.comment_id DESC
LIMIT $limit
