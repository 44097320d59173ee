-- a migration without its expand/contract marker
ALTER TABLE share_windows ADD COLUMN other TEXT;
