-- compat: expand
-- A later release's expand-only change: a new nullable column older builds neither read nor need to write.
ALTER TABLE share_windows ADD COLUMN note TEXT;
