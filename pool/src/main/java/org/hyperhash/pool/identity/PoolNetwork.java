package org.hyperhash.pool.identity;

import org.bitcoinj.base.Address;
import org.bitcoinj.base.AddressParser;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.exceptions.AddressFormatException;
import org.bitcoinj.script.ScriptBuilder;
import org.hyperhash.base.Bytes;

/** The bitcoin network the pool mines on; decides which addresses are valid. */
public enum PoolNetwork {
    MAINNET(BitcoinNetwork.MAINNET),
    TESTNET4(BitcoinNetwork.TESTNET),
    SIGNET(BitcoinNetwork.SIGNET),
    REGTEST(BitcoinNetwork.REGTEST),
    /** The template provider's embedded devnet chain: regtest addresses (bcrt1...). */
    DEVNET(BitcoinNetwork.REGTEST);

    private final BitcoinNetwork bitcoinj;

    PoolNetwork(BitcoinNetwork bitcoinj) {
        this.bitcoinj = bitcoinj;
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
