package org.hyperhash.pool.identity;

import org.bitcoinj.base.Address;
import org.bitcoinj.base.AddressParser;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.exceptions.AddressFormatException;
import org.bitcoinj.script.ScriptBuilder;
import org.hyperhash.base.Bytes;

/** The bitcoin network the pool mines on; decides which addresses are valid. */
public enum PoolNetwork {
    /** Floor 256: a 500 GH/s Bitaxe, the smallest ASIC in use, finds ~27 shares/min there. */
    MAINNET(BitcoinNetwork.MAINNET, 256),
    /** Floor 1: testnet4's minimum-difficulty blocks are difficulty 1. */
    TESTNET4(BitcoinNetwork.TESTNET, 1),
    /** Floor 0.001: the default signet's network difficulty is of that order. */
    SIGNET(BitcoinNetwork.SIGNET, 1e-3),
    /** Floor configurable (CPU miners need difficulties far below 1). */
    REGTEST(BitcoinNetwork.REGTEST, 1e-9),
    /** The template provider's embedded devnet chain: regtest addresses (bcrt1...). Floor configurable. */
    DEVNET(BitcoinNetwork.REGTEST, 1e-9);

    private final BitcoinNetwork bitcoinj;
    private final double minimumDifficulty;

    PoolNetwork(BitcoinNetwork bitcoinj, double minimumDifficulty) {
        this.bitcoinj = bitcoinj;
        this.minimumDifficulty = minimumDifficulty;
    }

    /**
     * The lowest share difficulty the pool sets on this network (vardiff floor): on the public networks no
     * configuration goes below it, so a script cannot be handed a target every hash meets.
     */
    public double minimumDifficulty() {
        return minimumDifficulty;
    }

    /** Whether {@code vardiff.min-difficulty} may go below {@link #minimumDifficulty()} (regtest, devnet). */
    public boolean difficultyFloorConfigurable() {
        return this == REGTEST || this == DEVNET;
    }

    /**
     * Parses an address of this network (base58 P2PKH/P2SH or bech32/bech32m segwit v0/v1).
     *
     * @return the output script paying to it
     * @throws IllegalArgumentException naming what is wrong (checksum, wrong network, ...)
     */
    public Bytes parse(String address) {
        if (address == null || address.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        if (address.length() > 90) {
            throw new IllegalArgumentException("address longer than 90 characters");
        }
        Address a;
        try {
            a = AddressParser.getDefault(bitcoinj).parseAddress(address);
        } catch (IllegalArgumentException e) {
            // a valid address of another chain gets a message naming both networks, not the parser's complaint
            // about a character (bitcoinj falls back to base58 for an unknown bech32 prefix)
            for (org.bitcoinj.base.BitcoinNetwork other : org.bitcoinj.base.BitcoinNetwork.values()) {
                if (other == bitcoinj) {
                    continue;
                }
                try {
                    AddressParser.getDefault(other).parseAddress(address);
                    throw new IllegalArgumentException("'" + address + "' is a " + other.toString().toLowerCase()
                            + " address, but network = " + name().toLowerCase() + " (set network to the chain you mine on, "
                            + "or use an address of " + name().toLowerCase() + ")");
                } catch (AddressFormatException ignored) {
                    // not that chain either
                }
            }
            if (e instanceof AddressFormatException.WrongNetwork) {
                throw new IllegalArgumentException("'" + address + "' is not a " + name().toLowerCase() + " address");
            }
            throw new IllegalArgumentException("'" + address + "' is not a valid bitcoin address (" + e.getMessage() + ")");
        }
        return Bytes.wrap(ScriptBuilder.createOutputScript(a).program());
    }
}
