package org.hyperhash.translator;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TranslatorCommandTest {

    @Test
    void printConfigShowsTheEffectiveValuesWithSetOverrides() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = new CommandLine(new TranslatorCommand()).execute("--set", "upstream.user-identity=\"bcrt1qx.t\"",
                    "--set", "sv1.extranonce2-size=8", "--print-config");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc);
        assertTrue(out.matches("(?s).*\"?extranonce2-size\"?\\s*[=:]\\s*8\\b.*"), out);
        assertTrue(out.contains("0.0.0.0:34255"), out);
    }

    @Test
    void helpListsTheDaemonContractOptions() {
        String usage = new CommandLine(new TranslatorCommand()).getUsageMessage();
        assertTrue(usage.contains("--config") && usage.contains("--set") && usage.contains("--print-config"), usage);
    }
}
