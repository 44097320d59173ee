-- compat: contract 12
-- A later release's contract change: builds before schema 12 read and write share_windows.worker.
ALTER TABLE share_windows RENAME COLUMN worker TO worker_name;
