package org.hyperhash.translator.bridge;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FirmwareFamilyTest {
    @ParameterizedTest
    @CsvSource({
        "bmminer/2.0.0, ANTMINER",
        "Antminer S19j Pro/cgminer, ANTMINER",
        "btminer/3.1.0, WHATSMINER",
        "WhatsMiner M30S, WHATSMINER",
        "Avalon/cgminer 4.11.1, AVALON",
        "bosminer-plus-tuner 0.9, BRAIINS",
        "LUXminer/2024.1, LUXOS",
        "bitaxe/BM1370/v2.4.0, BITAXE",
        "esp-miner/2.1, BITAXE",
        "NerdMinerV2/1.6.3, NERDMINER",
        "cgminer/4.11.1, CGMINER",
        "bfgminer/5.5.0, BFGMINER",
        "cpuminer/2.5.1, CPUMINER",
        "hyperhash-sv1-cpu, HYPERHASH",
        "some new firmware {} <script>, OTHER",
        "'', UNKNOWN",
    })
    void userAgentsMapToABoundedSet(String ua, FirmwareFamily expected) {
        assertEquals(expected, FirmwareFamily.of(ua));
    }
}
