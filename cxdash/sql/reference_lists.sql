-- Channels, journey stages and measures as one list: list, code, label, sort_order.
SELECT 'channel' AS list, channel AS code, label, sort_order FROM channels
UNION ALL SELECT 'stage', stage, label, sort_order FROM journey_stages
UNION ALL SELECT 'measure', measure, label, sort_order FROM measures
UNION ALL SELECT 'role', role, label, sort_order FROM respondent_roles
ORDER BY list, sort_order
