-- Treasury ledger: append-only entries in msat; balances are a cache that 'check' proves equal to the sum of entries.
CREATE TABLE ledger_entries (
    entry_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    account       TEXT   NOT NULL,
    kind          TEXT   NOT NULL CHECK (kind IN ('block_credit','pool_fee','payout_reserve','payout_release','payout_fee_refund','adjustment')),
    amount_msat   BIGINT NOT NULL,
    ref           TEXT   NOT NULL,
    created_at_ms BIGINT NOT NULL,
    UNIQUE (account, kind, ref)
);
CREATE INDEX ledger_entries_ref ON ledger_entries (ref);
CREATE TABLE balances (
    account       TEXT   NOT NULL PRIMARY KEY,
    balance_msat  BIGINT NOT NULL,
    entry_count   BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE TABLE block_distributions (
    block_hash          TEXT             NOT NULL PRIMARY KEY REFERENCES found_blocks (block_hash),
    height              BIGINT           NOT NULL,
    found_at_ms         BIGINT           NOT NULL,
    reward_sats         BIGINT           NOT NULL,
    network_difficulty  DOUBLE PRECISION NOT NULL,
    window_multiple_ppm BIGINT           NOT NULL,
    fee_ppm             BIGINT           NOT NULL,
    work_scale          BIGINT           NOT NULL,
    window_work_units   TEXT             NOT NULL,
    counted_work_units  TEXT             NOT NULL,
    algorithm           TEXT             NOT NULL,
    status              TEXT             NOT NULL CHECK (status IN ('pending','credited','orphaned')),
    pool_fee_sats       BIGINT,
    computed_at_ms      BIGINT           NOT NULL,
    updated_at_ms       BIGINT           NOT NULL
);
CREATE TABLE distribution_inputs (
    block_hash TEXT NOT NULL REFERENCES block_distributions (block_hash),
    account    TEXT NOT NULL,
    work_units TEXT NOT NULL,
    PRIMARY KEY (block_hash, account)
);
CREATE TABLE payouts (
    payout_id        TEXT    NOT NULL PRIMARY KEY,
    account          TEXT    NOT NULL,
    destination_kind TEXT    NOT NULL CHECK (destination_kind IN ('lightning_address','keysend','bolt11')),
    destination      TEXT    NOT NULL,
    payment_request  TEXT,
    payment_hash     TEXT    NOT NULL UNIQUE,
    keysend_preimage TEXT,
    amount_msat      BIGINT  NOT NULL CHECK (amount_msat > 0),
    fee_limit_msat   BIGINT  NOT NULL CHECK (fee_limit_msat >= 0),
    fee_paid_msat    BIGINT,
    status           TEXT    NOT NULL CHECK (status IN ('reserved','in_flight','succeeded','failed')),
    attempts         INTEGER NOT NULL,
    failure_reason   TEXT,
    dry_run          SMALLINT NOT NULL,
    created_at_ms    BIGINT  NOT NULL,
    updated_at_ms    BIGINT  NOT NULL,
    settled_at_ms    BIGINT
);
CREATE UNIQUE INDEX payouts_one_open_per_account ON payouts (account) WHERE status IN ('reserved','in_flight');
CREATE INDEX payouts_status ON payouts (status);
CREATE TABLE destinations (
    account           TEXT   NOT NULL PRIMARY KEY,
    kind              TEXT   NOT NULL CHECK (kind IN ('lightning_address','keysend','bolt11')),
    destination       TEXT   NOT NULL,
    proof_message     TEXT   NOT NULL,
    proof_signature   TEXT   NOT NULL,
    proof_timestamp_s BIGINT NOT NULL,
    updated_at_ms     BIGINT NOT NULL
);
CREATE TABLE treasury_state (
    name          TEXT   NOT NULL PRIMARY KEY,
    value         TEXT   NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
