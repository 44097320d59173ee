-- compat: expand
-- Per-worker hourly rollup (issue 16), written by the pool's share log in the same transaction as share_windows:
-- the web page and API read at most ~25 rows per worker for a day (share_windows has one row per 10 s window).
-- Expand-only: new tables, nothing existing changes.
-- accepted/work: accepted shares and their credited difficulty; best_difficulty: the highest difficulty of an
-- accepted share's hash in the hour; rejected: rejected shares (all reasons; worker_rejects breaks them down);
-- first_share_ms / last_share_ms: acceptance time of the first / last accepted share (0: none in the hour); the web
-- page estimates the part of an hour inside "the last 1 h / 24 h" from them.
CREATE TABLE worker_hours (
    instance_id     TEXT             NOT NULL,
    hour_start_ms   BIGINT           NOT NULL,
    address         TEXT             NOT NULL,
    worker          TEXT             NOT NULL,
    accepted        BIGINT           NOT NULL DEFAULT 0 CHECK (accepted >= 0),
    work            DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (work >= 0),
    best_difficulty DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (best_difficulty >= 0),
    rejected        BIGINT           NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    first_share_ms  BIGINT           NOT NULL DEFAULT 0,
    last_share_ms   BIGINT           NOT NULL DEFAULT 0,
    PRIMARY KEY (address, hour_start_ms, worker, instance_id)
);
CREATE INDEX worker_hours_start ON worker_hours (hour_start_ms);
-- Rows from before this migration: the rollup of the share windows already there (no best difficulty or rejects
-- were recorded then; first/last share time = first/last window start).
INSERT INTO worker_hours (instance_id, hour_start_ms, address, worker, accepted, work, best_difficulty, rejected,
        first_share_ms, last_share_ms)
    SELECT instance_id, (window_start_ms / 3600000) * 3600000, address, worker, SUM(shares), SUM(work), 0, 0,
           MIN(window_start_ms), MAX(window_start_ms)
    FROM share_windows GROUP BY instance_id, (window_start_ms / 3600000) * 3600000, address, worker;
-- Rejected shares per worker and hour by reason (the pool's bounded reject-reason set, lower case: stale_share,
-- duplicate_share, difficulty_too_low, ...: the same values as the hh_pool_shares_rejected_total reason label).
CREATE TABLE worker_rejects (
    instance_id   TEXT   NOT NULL,
    hour_start_ms BIGINT NOT NULL,
    address       TEXT   NOT NULL,
    worker        TEXT   NOT NULL,
    reason        TEXT   NOT NULL,
    rejected      BIGINT NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    PRIMARY KEY (address, hour_start_ms, worker, instance_id, reason)
);
