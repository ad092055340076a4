package io.durableruns.qstash.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/** Emulator settings for tests of its parts: no time scaling, one delivery thread, a clock fixed at a moment. */
final class TestSettings {
    static final String TOKEN = "t";

    private TestSettings() {}

    static EmulatorSettings at(Instant now) {
        return new EmulatorSettings(
                "127.0.0.1",
                0,
                TOKEN,
                "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
                "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs",
                1.0,
                Duration.ofMinutes(10),
                3,
                100,
                Duration.ofSeconds(5),
                1,
                10,
                10,
                1024,
                false,
                false,
                0,
                Duration.ZERO,
                1,
                Clock.fixed(now, ZoneOffset.UTC));
    }
}
