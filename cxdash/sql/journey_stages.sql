-- Journey stages in journey order: stage, label, description, sort_order.
SELECT stage, label, description, sort_order
FROM journey_stages
ORDER BY sort_order
