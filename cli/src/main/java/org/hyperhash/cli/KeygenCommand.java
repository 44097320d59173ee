package org.hyperhash.cli;

import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.hyperhash.sv2.noise.KeyTool;
import picocli.CommandLine.Command;

/** {@code hh keygen}: a new SV2 authority key pair and server static key, printed as a config snippet. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Generate an SV2 authority key pair and a server static key (base58check).",
            "Prints secrets to stdout only: redirect into a file readable by the daemon's user alone."})
final class KeygenCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.print(KeyTool.generate(new SecureRandom()));
        System.out.flush();
        return 0;
    }
}
