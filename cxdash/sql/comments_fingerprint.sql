-- A token for the comments in the database (their number and a hash of every id and text): equal tokens mean
-- the stored themes (comment_themes, meta 'themes_fingerprint') were computed on these very comments.
SELECT count(*)::VARCHAR || ':' || coalesce(bit_xor(hash(comment_id, text)), 0)::VARCHAR AS fingerprint,
       (SELECT value FROM meta WHERE key = 'themes_fingerprint') AS stored,
       (SELECT value FROM meta WHERE key = 'themes_fitted_on') AS fitted_on
FROM comments
