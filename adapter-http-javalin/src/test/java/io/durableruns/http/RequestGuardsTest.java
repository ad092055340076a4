package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestGuardsTest {

    @Test
    void loopback_means_localhost_or_a_literal_loopback_address() {
        for (String name : new String[] {
            "localhost", "LocalHost", "localhost.", "127.0.0.1", "127.255.0.9", "[::1]", "[0:0:0:0:0:0:0:1]"
        }) {
            assertThat(RequestGuards.isLoopback(name)).as(name).isTrue();
        }
        for (String name : new String[] {
            "127.0.0.1.nip.io",
            "localhost.attacker.example",
            "128.0.0.1",
            "127.0.0.256",
            "0.0.0.0",
            "[::2]",
            "[::ffff:7f00:1]",
            "10.0.0.1",
            "",
            "127.1"
        }) {
            assertThat(RequestGuards.isLoopback(name)).as(name).isFalse();
        }
    }

    @Test
    void the_host_name_of_a_host_header_drops_the_port() {
        assertThat(RequestGuards.hostName("localhost:7070")).isEqualTo("localhost");
        assertThat(RequestGuards.hostName("[::1]:7070")).isEqualTo("[::1]");
        assertThat(RequestGuards.hostName("example.com")).isEqualTo("example.com");
    }

    @Test
    void origins_are_compared_with_their_default_ports_written_out() {
        assertThat(RequestGuards.normalizeOrigin("HTTPS://Runs.Example.com")).isEqualTo("https://runs.example.com:443");
        assertThat(RequestGuards.normalizeOrigin("http://127.0.0.1:7070")).isEqualTo("http://127.0.0.1:7070");
        assertThat(RequestGuards.normalizeOrigin("null")).isNull();
        assertThat(RequestGuards.normalizeOrigin("not a url")).isNull();
    }
}
