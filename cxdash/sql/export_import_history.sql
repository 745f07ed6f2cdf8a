-- Most recent imports, newest first: when, kind, file name, rows read, written and replaced.
SELECT imported_at, kind, file_name, rows_read, rows_written, rows_replaced
FROM imports
ORDER BY imported_at DESC, import_id DESC
LIMIT $limit
