package org.hyperhash.cli;

import org.hyperhash.daemon.Version;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code hh version}: versions of Hyperhash, the JVM and the crypto provider that would be chosen. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print versions and the crypto provider in use.")
final class VersionCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("hyperhash " + Version.version());
        System.out.println("java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
        System.out.println("netty transport " + NettyInfo.transport());
        System.out.println("crypto " + CryptoInfo.describe());
        System.out.println("crypto " + CryptoInfo.describeAead());
        var ledger = org.hyperhash.ledger.Migrations.buildCompat();
        // the numbers a publisher passes to `hh release create --ledger-schema N --ledger-compatible-from M`
        System.out.println("ledger schema " + ledger.version() + " compatible-from " + ledger.requiresBuildSchema());
        return 0;
    }
}
