-- Named leases with fencing tokens (issue 17): 'treasury-leader' elects the one paying treasury; 'pool-instance:<id>'
-- keeps a pool instance id unique among live pool processes. Times are the database's clock (ms since the epoch),
-- so hosts with skewed clocks agree on expiry. token grows by one on every change of holder and never goes back.
CREATE TABLE leases (
    name          TEXT   NOT NULL PRIMARY KEY,
    holder        TEXT   NOT NULL,
    token         BIGINT NOT NULL CHECK (token >= 0),
    info          TEXT   NOT NULL,
    acquired_at_ms BIGINT NOT NULL,
    renewed_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
