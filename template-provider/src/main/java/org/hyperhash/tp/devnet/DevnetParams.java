package org.hyperhash.tp.devnet;

/**
 * Parameters of the embedded devnet chain.
 *
 * @param bits nBits of every block (regtest's 0x207fffff: about one hash in two meets it)
 * @param initialSubsidySats subsidy of the first halving era (50 BTC)
 * @param halvingInterval blocks per halving era (regtest: 150)
 * @param syntheticTransactionsPerBlock synthetic mempool transactions offered per template (0..1000)
 * @param seed seed of the deterministic synthetic transactions
 * @param maxFutureBlockTimeSeconds how far ahead of the clock a block time may be (Core: 7200)
 */
public record DevnetParams(int bits, long initialSubsidySats, int halvingInterval, int syntheticTransactionsPerBlock,
                           long seed, long maxFutureBlockTimeSeconds) {
    /** The chain name reported by getblockchaininfo. */
    public static final String CHAIN = "devnet";

    public DevnetParams {
        if (initialSubsidySats <= 0) {
            throw new IllegalArgumentException("initial-subsidy-sats must be positive");
        }
        if (halvingInterval <= 0) {
            throw new IllegalArgumentException("halving-interval must be positive");
        }
        if (syntheticTransactionsPerBlock < 0 || syntheticTransactionsPerBlock > 1000) {
            throw new IllegalArgumentException("synthetic-transactions-per-block must be 0..1000");
        }
        org.hyperhash.base.CompactBits.toTarget(bits); // validates the encoding
    }

    /** Regtest-like defaults: nBits 0x207fffff, 50 BTC halving every 150 blocks, 5 synthetic txs. */
    public static DevnetParams defaults() {
        return new DevnetParams(0x207fffff, 50L * 100_000_000L, 150, 5, 0x68797065726861L, 7200);
    }

    /** Block subsidy at a height (right shift per era, zero after 64 eras, as Core). */
    public long subsidySats(long height) {
        long halvings = height / halvingInterval;
        return halvings >= 64 ? 0 : initialSubsidySats >> halvings;
    }
}
