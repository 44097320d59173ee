package org.hyperhash.treasury.lightning;

import org.hyperhash.treasury.TreasuryCommand;
import picocli.CommandLine;

/** {@code hh treasury} in a child JVM, for tests that kill -9 a real treasury process. */
public final class TreasuryChildMain {
    private TreasuryChildMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TreasuryCommand()).execute(args));
    }
}
