-- compat: expand
-- Ledger retention (treasury retention.*, docs/operations.md "Ledger retention") deletes worker_rejects rows by
-- hour_start_ms, oldest first, in bounded batches: without this index every batch would scan the whole table (its
-- primary key starts with address). share_windows (share_windows_start) and worker_hours (worker_hours_start) have
-- theirs already. Expand-only: an index, nothing existing changes.
CREATE INDEX worker_rejects_start ON worker_rejects (hour_start_ms);
