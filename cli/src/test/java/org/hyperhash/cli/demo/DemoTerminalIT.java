package org.hyperhash.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./hh demo} as a newcomer sees it: the launcher runs in a pseudo-terminal ({@code script} from
 * util-linux allocates it, so {@code [ -t 1 ]} holds and the dashboard is drawn), bounded by --duration, every
 * port ephemeral. The whole byte stream the terminal received must hold no log line (they go to demo.log),
 * and the last frame must show every endpoint; each admin URL it shows must answer while the demo runs.
 * Runs after {@code package}: the launcher uses the built jars (HH_NO_BUILD=1, no compile inside a test).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoTerminalIT {
    /** A logback line as logback.xml formats it: ISO timestamp then the level. */
    static final Pattern LOG_LINE = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* +(TRACE|DEBUG|INFO|WARN|ERROR) ");
    static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;?]*[A-Za-z]");

    @TempDir
    Path dir;

    static Path repo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("hh"))) {
            p = p.getParent();
        }
        if (p == null) {
            fail("no ./hh launcher above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static Path scriptBinary() {
        for (String d : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            if (Files.isExecutable(Path.of(d, "script"))) {
                return Path.of(d, "script");
            }
        }
        fail("this test needs `script` from util-linux (Debian: bsdutils) to give ./hh demo a pseudo-terminal");
        return null;
    }

    @Test
    void dashboardOnATerminalShowsEndpointsAndNoLogLines() throws Exception {
        Path repo = repo();
        assertTrue(Files.isRegularFile(repo.resolve("cli/target/hh-cli.jar")), "run after package: cli/target/hh-cli.jar");
        Path data = dir.resolve("demo");
        String demo = "./hh demo --duration 8 --interval 0.5 --data-dir " + data
                + " --tp-port 0 --tp-admin-port 0 --sv2-port 0 --admin-port 0 --sv1-port 0 --translator-admin-port 0"
                + " --treasury-admin-port 0 --web-port 0 --miners 1 --sv1-miners 1";
        Path raw = dir.resolve("terminal.raw");
        ProcessBuilder pb = new ProcessBuilder(scriptBinary().toString(), "-q", "-e", "-c", demo, "/dev/null")
                .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(raw.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("HH_NO_BUILD", "1");
        pb.environment().remove("HH_STDOUT_TTY");
        pb.environment().put("TERM", "xterm");
        Process p = pb.start();
        List<String> answered = new ArrayList<>();
        try {
            // while it runs: every admin URL on the screen answers (they are real ports, not just text)
            List<String> admins = List.of();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (admins.size() < 4 && p.isAlive() && System.nanoTime() < until) {
                Thread.sleep(300);
                admins = adminUrls(lastFrame(read(raw)));
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (String url : admins) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), url + " " + r.body());
                answered.add(url);
            }
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "hh demo --duration 8 did not stop");
        } finally {
            p.destroyForcibly();
        }
        String stream = read(raw);
        assertEquals(0, p.exitValue(), stream);
        String text = ANSI.matcher(stream).replaceAll("");
        Matcher log = LOG_LINE.matcher(text);
        if (log.find()) {
            fail("a log line reached the terminal: " + text.substring(Math.max(0, log.start() - 80), Math.min(text.length(), log.end() + 200)));
        }
        assertTrue(stream.contains(DemoScreen.HOME) && stream.contains(DemoScreen.ERASE_LINE), "a terminal gets a redrawn dashboard");

        String screen = lastFrame(stream);
        assertTrue(Pattern.compile("SV2 pool \\(Noise\\) +stratum2\\+tcp://127\\.0\\.0\\.1:\\d+/9[1-9A-HJ-NP-Za-km-z]{40,}").matcher(screen).find(), screen);
        assertTrue(Pattern.compile("SV1 \\(translator\\) +stratum\\+tcp://127\\.0\\.0\\.1:\\d+").matcher(screen).find(), screen);
        assertTrue(Pattern.compile("TP \\(TDP, Noise\\) +127\\.0\\.0\\.1:\\d+ +authority key 9").matcher(screen).find(), screen);
        assertTrue(Pattern.compile("Miner web page +http://127\\.0\\.0\\.1:\\d+/").matcher(screen).find(), screen);
        for (String who : List.of("Pool", "TP", "Translator", "Treasury")) {
            assertTrue(Pattern.compile(who + " admin +http://127\\.0\\.0\\.1:\\d+/v1/status").matcher(screen).find(), screen);
        }
        assertEquals(4, answered.size(), "every admin URL answered: " + answered + "\n" + screen);
        for (String figure : List.of("Chain     height", "Pool      hashrate", "miners ", "workers ", "Shares    accepted",
                "Blocks    found", "accepted by the chain", "Balances ")) {
            assertTrue(screen.contains(figure), figure + " missing from\n" + screen);
        }
        Path logFile = data.resolve("demo.log");
        assertTrue(screen.contains("Logs: " + logFile.toAbsolutePath()), screen);
        String logs = Files.readString(logFile);
        assertTrue(LOG_LINE.matcher(logs).find() && logs.contains("listening"), "the logs went to the file instead:\n" + logs);
    }

    static String read(Path raw) throws IOException {
        return Files.exists(raw) ? Files.readString(raw, StandardCharsets.UTF_8) : "";
    }

    /** The text of the last complete frame (between the last two cursor-home codes, or after the last one). */
    static String lastFrame(String stream) {
        int end = stream.lastIndexOf(DemoScreen.ERASE_BELOW);
        if (end < 0) {
            return "";
        }
        int start = stream.lastIndexOf(DemoScreen.HOME, end);
        return ANSI.matcher(stream.substring(Math.max(0, start), end)).replaceAll("").replace("\r", "");
    }

    static List<String> adminUrls(String screen) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("admin +(http://127\\.0\\.0\\.1:\\d+/v1/status)").matcher(screen);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
