-- Written by the pool (share accounting), read by the treasury (PPLNS).
CREATE TABLE share_windows (
    instance_id     TEXT             NOT NULL,
    window_start_ms BIGINT           NOT NULL,
    address         TEXT             NOT NULL,
    worker          TEXT             NOT NULL,
    shares          BIGINT           NOT NULL CHECK (shares >= 0),
    work            DOUBLE PRECISION NOT NULL CHECK (work >= 0),
    PRIMARY KEY (instance_id, window_start_ms, address, worker)
);
CREATE INDEX share_windows_start ON share_windows (window_start_ms);
CREATE TABLE found_blocks (
    block_hash         TEXT             NOT NULL PRIMARY KEY,
    height             BIGINT           NOT NULL,
    found_at_ms        BIGINT           NOT NULL,
    instance_id        TEXT             NOT NULL,
    address            TEXT             NOT NULL,
    worker             TEXT             NOT NULL,
    reward_sats        BIGINT           NOT NULL CHECK (reward_sats >= 0),
    network_difficulty DOUBLE PRECISION NOT NULL CHECK (network_difficulty > 0),
    status             TEXT             NOT NULL CHECK (status IN ('submitted','accepted','rejected','orphaned','confirmed','matured')),
    submit_result      TEXT,
    updated_at_ms      BIGINT           NOT NULL
);
CREATE INDEX found_blocks_status ON found_blocks (status);
