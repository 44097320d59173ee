-- Read paths of the public web page / API (web module): every per-address query is an index range scan,
-- whatever the number of accounts and share windows.
-- share windows of one address over a time range (hashrate, workers, PPLNS share); covering (worker, work, shares):
-- the address page reads the index only, not one table row per window
CREATE INDEX share_windows_address_start ON share_windows (address, window_start_ms, worker, work, shares);
-- payout history of one account, newest first (keyset pagination on created_at_ms, payout_id)
CREATE INDEX payouts_account_created ON payouts (account, created_at_ms, payout_id);
-- blocks found, newest first (keyset pagination on found_at_ms, block_hash); blocks found by one address
CREATE INDEX found_blocks_found_at ON found_blocks (found_at_ms, block_hash);
CREATE INDEX found_blocks_address_found_at ON found_blocks (address, found_at_ms);
