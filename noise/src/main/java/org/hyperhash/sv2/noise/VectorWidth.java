package org.hyperhash.sv2.noise;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@code auto} means for the width of {@link VectorChaCha20} ({@code HH_AEAD_VECTOR_BITS} /
 * {@code -Dhyperhash.aead.vector.bits}): 512 bits only on CPUs known to execute 512-bit integer vector operations at
 * full width, 256 everywhere else. Kept apart from {@link VectorChaCha20} (and free of {@code jdk.incubator.vector}) so
 * the rule is a plain function of {@code /proc/cpuinfo} text, tested on sample text.
 *
 * <p>Measured (bench/README.md, sections noise512 and zen5):
 * <ul>
 *   <li>AMD Zen 4 (family 0x19): AVX-512 is executed as two 256-bit halves, a 16-lane pass costs 1.6-2.3x an 8-lane
 *       one, so 512 bits lose where an event loop serves many connections: 256.</li>
 *   <li>AMD Zen 5 server and desktop cores (family 0x1a, models 0x00-0x1f EPYC "Turin", 0x40-0x4f Ryzen 9000
 *       "Granite Ridge" and its HX mobile parts): full 512-bit datapaths, no fixed AVX-512 clock offset; on an EPYC
 *       family 0x1a model 0x02 512 bits were faster for one stream and no slower for thousands of cipher states
 *       taking turns, with no clock effect on the scalar code around them: 512.</li>
 *   <li>Other Zen 5 models (e.g. the "Strix Point" / "Krackan Point" mobile parts, 0x20-0x2f and 0x60-0x6f) have
 *       256-bit datapaths like Zen 4; newer families are unmeasured: 256.</li>
 *   <li>Intel: 512 bits never measured on it here, and several Intel generations lower the core clock while wide
 *       vector instructions run: 256.</li>
 * </ul>
 * Where the JVM's preferred integer vector is narrower than 512 bits (no AVX-512, {@code -XX:UseAVX=2},
 * {@code -XX:MaxVectorSize=32}) {@code auto} is 256 whatever the CPU. An explicit {@code 256} or {@code 512} always
 * wins.
 */
final class VectorWidth {
    /** Where Linux describes the CPU. */
    static final Path CPUINFO = Path.of("/proc/cpuinfo");
    /** Longest first processor block read from {@link #CPUINFO} (a real one is ~1.5 KB). */
    private static final int MAX_BLOCK_CHARS = 64 * 1024;

    private VectorWidth() {
    }

    /** The fields of the first processor in {@code /proc/cpuinfo} that the rule looks at (x86 only). */
    record Cpu(String vendor, int family, int model, boolean avx512f) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s family 0x%x model 0x%x%s", vendor, family, model,
                    avx512f ? " avx512f" : "");
        }
    }

    /** The width {@code auto} picks: 512 or 256 (see the class comment). */
    static int autoBits(Cpu cpu, int preferredBits) {
        return preferredBits >= 512 && fullWidth512(cpu) ? 512 : 256;
    }

    /** Why {@code auto} picked what it picked, for the log and {@code hh version}. */
    static String autoReason(Cpu cpu, int preferredBits) {
        if (preferredBits < 512) {
            return "auto: preferred int vector " + preferredBits + " bits";
        }
        if (cpu == null) {
            return "auto: CPU model unknown";
        }
        return "auto: " + cpu + (fullWidth512(cpu) ? ", full-width 512-bit units" : ", not known for full-width 512-bit units");
    }

    /** True for the CPUs measured (or documented, same core) to run 512-bit integer vector operations at full width. */
    static boolean fullWidth512(Cpu cpu) {
        if (cpu == null || !cpu.avx512f() || !"AuthenticAMD".equals(cpu.vendor()) || cpu.family() != 0x1a) {
            return false;
        }
        int m = cpu.model();
        return (m >= 0x00 && m <= 0x1f) || (m >= 0x40 && m <= 0x4f);
    }

    /**
     * The first processor block of {@code /proc/cpuinfo} text, or null when it has no x86 vendor, family and model
     * (other architectures, other formats).
     */
    static Cpu parse(String cpuinfo) {
        String vendor = null;
        int family = -1;
        int model = -1;
        boolean avx512f = false;
        for (String line : cpuinfo.split("\n")) {
            if (line.isBlank()) {
                if (vendor != null || family >= 0) {
                    break; // end of the first processor's block
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "vendor_id" -> vendor = value;
                case "cpu family" -> family = parseIntOr(value, -1);
                case "model" -> model = parseIntOr(value, -1);
                case "flags" -> avx512f = (" " + value + " ").contains(" avx512f ");
                default -> {
                }
            }
        }
        return vendor == null || family < 0 || model < 0 ? null : new Cpu(vendor, family, model, avx512f);
    }

    /** This machine's first processor, or null where {@code /proc/cpuinfo} is missing or not x86 (then 256). */
    static Cpu thisCpu() {
        if (!Files.isReadable(CPUINFO)) {
            return null;
        }
        StringBuilder block = new StringBuilder();
        try (BufferedReader r = Files.newBufferedReader(CPUINFO, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null && block.length() < MAX_BLOCK_CHARS; ) {
                if (line.isBlank() && !block.isEmpty()) {
                    break;
                }
                block.append(line).append('\n');
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return parse(block.toString());
    }

    private static int parseIntOr(String s, int or) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return or;
        }
    }
}
