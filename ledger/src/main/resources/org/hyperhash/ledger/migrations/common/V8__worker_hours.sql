-- Per-worker hourly rollup (issue 16), written by the pool's share log in the same transaction as share_windows:
-- the web page and API read at most ~25 rows per worker for a day (share_windows has one row per 10 s window).
-- Expand-only: new tables, nothing existing changes.
-- accepted/work: accepted shares and their credited difficulty; best_difficulty: the highest difficulty of an
-- accepted share's hash in the hour; rejected: rejected shares (all reasons; worker_rejects breaks them down);
-- last_share_ms: acceptance time of the last accepted share (0: none in the hour).
CREATE TABLE worker_hours (
    instance_id     TEXT             NOT NULL,
    hour_start_ms   BIGINT           NOT NULL,
    address         TEXT             NOT NULL,
    worker          TEXT             NOT NULL,
    accepted        BIGINT           NOT NULL DEFAULT 0 CHECK (accepted >= 0),
    work            DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (work >= 0),
    best_difficulty DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (best_difficulty >= 0),
    rejected        BIGINT           NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    last_share_ms   BIGINT           NOT NULL DEFAULT 0,
    PRIMARY KEY (address, hour_start_ms, worker, instance_id)
);
CREATE INDEX worker_hours_start ON worker_hours (hour_start_ms);
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
