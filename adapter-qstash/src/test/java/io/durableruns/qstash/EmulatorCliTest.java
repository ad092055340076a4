package io.durableruns.qstash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EmulatorCliTest {

    @Test
    void parses_every_option_in_both_spellings() {
        QStashEmulator.Builder b = EmulatorCli.parse(new String[] {
            "--port",
            "0",
            "--host=127.0.0.1",
            "--time-scale",
            "0.01",
            "--dedup-window=5m",
            "--default-retries",
            "2",
            "--max-retries",
            "9",
            "--delivery-timeout",
            "30s",
            "--delivery-threads",
            "3",
            "--max-pending",
            "50",
            "--duplicate-deliveries",
            "--random-order",
            "--fail-publish-fraction",
            "0.1",
            "--delivery-delay",
            "250ms",
            "--seed",
            "5",
            "--token",
            "t0k3n",
            "--current-signing-key",
            "sig_aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "--next-signing-key=sig_bbbbbbbbbbbbbbbbbbbbbbbbbbbb"
        });
        assertThat(b.port).isZero();
        assertThat(b.timeScale).isEqualTo(0.01);
        assertThat(b.dedupWindow).isEqualTo(Duration.ofMinutes(5));
        assertThat(b.defaultRetries).isEqualTo(2);
        assertThat(b.maxRetries).isEqualTo(9);
        assertThat(b.deliveryTimeout).isEqualTo(Duration.ofSeconds(30));
        assertThat(b.deliveryThreads).isEqualTo(3);
        assertThat(b.maxPendingMessages).isEqualTo(50);
        assertThat(b.duplicateDeliveries).isTrue();
        assertThat(b.randomOrder).isTrue();
        assertThat(b.failPublishFraction).isEqualTo(0.1);
        assertThat(b.deliveryDelay).isEqualTo(Duration.ofMillis(250));
        assertThat(b.seed).isEqualTo(5);
        assertThat(b.token).isEqualTo("t0k3n");
        assertThat(b.currentSigningKey).isEqualTo("sig_aaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        assertThat(b.nextSigningKey).isEqualTo("sig_bbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    }

    @Test
    void defaults_are_port_8080_and_upstash_development_credentials() {
        QStashEmulator.Builder b = EmulatorCli.parse(new String[0]);
        assertThat(b.port).isEqualTo(8080);
        assertThat(b.token).isEqualTo(DevCredentials.TOKEN);
        assertThat(b.currentSigningKey).isEqualTo(DevCredentials.CURRENT_KEY);
        assertThat(b.nextSigningKey).isEqualTo(DevCredentials.NEXT_KEY);
    }

    @Test
    void bad_arguments_are_refused_with_a_message_and_exit_code_2() {
        assertThatThrownBy(() -> EmulatorCli.parse(new String[] {"--bogus", "1"}))
                .hasMessageContaining("--bogus");
        assertThatThrownBy(() -> EmulatorCli.parse(new String[] {"--port"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> EmulatorCli.parse(new String[] {"--delivery-delay", "soon"}))
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> EmulatorCli.parse(new String[] {"--current-signing-key", "sig_x"}))
                .hasMessageContaining("both");
        assertThat(QStashEmulator.run(new String[] {"--port", "eighty"})).isEqualTo(2);
        assertThat(QStashEmulator.run(new String[] {"--help"})).isZero();
    }

    @Test
    void the_banner_prints_the_url_and_the_development_credentials_like_upstash_dev_server() {
        try (QStashEmulator emulator =
                QStashEmulator.newBuilder().port(0).duplicateDeliveries(true).start()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            emulator.printBanner(new PrintStream(out, true, StandardCharsets.UTF_8));
            String banner = out.toString(StandardCharsets.UTF_8);
            assertThat(banner)
                    .contains("QSTASH_URL=" + emulator.url())
                    .contains("QSTASH_TOKEN=" + DevCredentials.TOKEN)
                    .contains("QSTASH_CURRENT_SIGNING_KEY=" + DevCredentials.CURRENT_KEY)
                    .contains("QSTASH_NEXT_SIGNING_KEY=" + DevCredentials.NEXT_KEY)
                    .contains("delivered twice");
        }
    }

    @Test
    void the_banner_hides_a_custom_token() {
        try (QStashEmulator emulator =
                QStashEmulator.newBuilder().port(0).token("my-private-token").start()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            emulator.printBanner(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("my-private-token");
        }
    }
}
