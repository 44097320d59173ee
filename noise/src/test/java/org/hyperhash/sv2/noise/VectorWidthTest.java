package org.hyperhash.sv2.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What {@code HH_AEAD_VECTOR_BITS=auto} picks, on sample {@code /proc/cpuinfo} text (no vector code runs here). */
class VectorWidthTest {
    private static final String AVX512_FLAGS = "fpu vme de pse tsc msr pae mce cx8 apic sep avx2 bmi2 erms avx512f "
            + "avx512dq adx avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt";
    private static final String AVX2_FLAGS = "fpu vme de pse tsc msr pae mce cx8 apic sep fma avx2 bmi1 bmi2 erms sha_ni";

    /** Two processors, as the kernel prints them (the rule reads the first block only). */
    private static String cpuinfo(String vendor, int family, int model, String flags) {
        String one = "processor\t: %d\nvendor_id\t: " + vendor + "\ncpu family\t: " + family + "\nmodel\t\t: " + model
                + "\nmodel name\t: test CPU\nstepping\t: 1\nmicrocode\t: 0xffffffff\ncpu MHz\t\t: 2600.000\n"
                + "flags\t\t: " + flags + "\nbogomips\t: 4192.04\naddress sizes\t: 48 bits physical, 48 bits virtual\n\n";
        return String.format(one, 0) + String.format(one, 1);
    }

    private static int auto(String cpuinfo, int preferredBits) {
        return VectorWidth.autoBits(VectorWidth.parse(cpuinfo), preferredBits);
    }

    @Test
    void zen5ServerAndDesktopPick512() {
        assertEquals(512, auto(cpuinfo("AuthenticAMD", 26, 2, AVX512_FLAGS), 512)); // EPYC 9005 "Turin" (measured)
        assertEquals(512, auto(cpuinfo("AuthenticAMD", 26, 0x11, AVX512_FLAGS), 512)); // "Turin" dense
        assertEquals(512, auto(cpuinfo("AuthenticAMD", 26, 0x44, AVX512_FLAGS), 512)); // Ryzen 9000 "Granite Ridge"
    }

    @Test
    void zen5MobileWithHalfWidthUnitsPicks256() {
        assertEquals(256, auto(cpuinfo("AuthenticAMD", 26, 0x24, AVX512_FLAGS), 512)); // "Strix Point"
        assertEquals(256, auto(cpuinfo("AuthenticAMD", 26, 0x60, AVX512_FLAGS), 512)); // "Krackan Point"
    }

    @Test
    void zen4AndOlderAmdPick256() {
        assertEquals(256, auto(cpuinfo("AuthenticAMD", 25, 17, AVX512_FLAGS), 512)); // Zen 4 (measured: 2x per pass)
        assertEquals(256, auto(cpuinfo("AuthenticAMD", 25, 1, AVX2_FLAGS), 256)); // Zen 3
    }

    @Test
    void intelPicks256EvenWithAvx512() {
        assertEquals(256, auto(cpuinfo("GenuineIntel", 6, 167, AVX512_FLAGS), 512));
        assertEquals(256, auto(cpuinfo("GenuineIntel", 6, 143, AVX512_FLAGS), 512));
    }

    @Test
    void unmeasuredFamiliesPick256() {
        assertEquals(256, auto(cpuinfo("AuthenticAMD", 27, 0, AVX512_FLAGS), 512));
    }

    @Test
    void aNarrowerJvmVectorOrMissingAvx512Wins() {
        // -XX:UseAVX=2 or -XX:MaxVectorSize=32 on a Zen 5: the JVM's preferred vector is 256 bits
        assertEquals(256, auto(cpuinfo("AuthenticAMD", 26, 2, AVX512_FLAGS), 256));
        // a hypervisor that hides AVX-512 from the guest
        assertEquals(256, auto(cpuinfo("AuthenticAMD", 26, 2, AVX2_FLAGS), 512));
        assertTrue(VectorWidth.autoReason(VectorWidth.parse(cpuinfo("AuthenticAMD", 26, 2, AVX512_FLAGS)), 256)
                .contains("preferred int vector 256 bits"));
    }

    @Test
    void unknownOrForeignCpuinfoPicks256() {
        assertNull(VectorWidth.parse(""));
        // aarch64 /proc/cpuinfo has no vendor_id / cpu family / model lines
        String arm = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32\n"
                + "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\n\n";
        assertNull(VectorWidth.parse(arm));
        assertEquals(256, VectorWidth.autoBits(null, 512));
        assertEquals(256, auto("vendor_id\t: AuthenticAMD\ncpu family\t: x\nmodel\t\t: 2\n", 512));
        assertTrue(VectorWidth.autoReason(null, 512).contains("unknown"));
    }

    @Test
    void parsesTheFirstProcessorBlock() {
        VectorWidth.Cpu cpu = VectorWidth.parse(cpuinfo("AuthenticAMD", 26, 2, AVX512_FLAGS)
                .replaceFirst("processor\t: 1\nvendor_id\t: AuthenticAMD", "processor\t: 1\nvendor_id\t: Other"));
        assertEquals(new VectorWidth.Cpu("AuthenticAMD", 26, 2, true), cpu);
        assertEquals("AuthenticAMD family 0x1a model 0x2 avx512f", cpu.toString());
        // "avx512f" must be a whole flag, not a prefix of another one
        assertFalse(VectorWidth.parse(cpuinfo("AuthenticAMD", 26, 2, "avx2 avx512fp16x")).avx512f());
        assertTrue(VectorWidth.autoReason(cpu, 512).contains("full-width 512-bit units"));
    }

    @Test
    void thisMachineParsesWhereThereIsCpuinfo() {
        VectorWidth.Cpu here = VectorWidth.thisCpu();
        if (VectorWidth.CPUINFO.toFile().canRead() && System.getProperty("os.arch").matches("amd64|x86_64")) {
            assertTrue(here != null, "x86 /proc/cpuinfo should parse");
        }
    }
}
