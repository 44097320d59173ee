-- compat: expand
-- Expand/contract record (docs/operations.md "Ledger schema changes"): one row per migration from V8 on, written
-- in the migration's own transaction. 'expand' adds only (older builds run on it: requires_build_schema 0); a
-- 'contract' removes or changes what older builds use, and requires_build_schema is the oldest build schema
-- (highest migration a build ships) that still runs on the ledger after it. A build refuses to start only when
-- the largest requires_build_schema is above its own schema.
CREATE TABLE ledger_schema_compat (
    version               INTEGER NOT NULL PRIMARY KEY,
    script                TEXT    NOT NULL,
    compat                TEXT    NOT NULL CHECK (compat IN ('expand','contract')),
    requires_build_schema INTEGER NOT NULL CHECK (requires_build_schema >= 0),
    applied_at_ms         BIGINT  NOT NULL
);
