-- Clears the feedback_cells rollup for the organisations given (all when $org_ids is NULL), before a refresh.
DELETE FROM feedback_cells WHERE $org_ids IS NULL OR org_id = ANY($org_ids)
