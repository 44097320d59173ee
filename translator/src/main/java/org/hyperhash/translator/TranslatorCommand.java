package org.hyperhash.translator;

import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.daemon.DaemonRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Callable;

/** {@code hh translator --config FILE --set path=value}: runs the SV1 → SV2 translator. */
@Command(name = "translator", mixinStandardHelpOptions = true,
        description = "SV1 → SV2 translator: SV1 firmware connects here, one SV2 extended channel goes to the pool.")
public final class TranslatorCommand implements Callable<Integer> {
    @Mixin
    DaemonOptions options;

    @Override
    public Integer call() {
        com.typesafe.config.Config raw = options.load(TranslatorConfig.ENV_PREFIX, TranslatorConfig.ROOT);
        TranslatorConfig cfg = TranslatorConfig.from(raw);
        if (options.printConfig) {
            System.out.println(raw.root().render(com.typesafe.config.ConfigRenderOptions.concise().setFormatted(true)));
            return 0;
        }
        return DaemonRunner.runUntilSignalled("translator", new TranslatorDaemon(cfg, InstantSource.system()),
                Duration.ofSeconds(10));
    }
}
