package io.durableruns.qstash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QStashConfigTest {

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("QSTASH_TOKEN", DevCredentials.TOKEN);
        env.put("QSTASH_CURRENT_SIGNING_KEY", DevCredentials.CURRENT_KEY);
        env.put("QSTASH_NEXT_SIGNING_KEY", DevCredentials.NEXT_KEY);
        env.put("RUNS_PUBLIC_URL", "https://runs.example.com/");
        return env;
    }

    @Test
    void reads_the_environment_with_the_default_qstash_url_and_derives_both_endpoints() {
        QStashConfig config = QStashConfig.fromEnvironment(env());
        assertThat(config.qstashUrl()).hasToString("https://qstash.upstash.io");
        assertThat(config.stepUrl()).isEqualTo("https://runs.example.com/api/jobs/run-step");
        assertThat(config.failureUrl()).isEqualTo("https://runs.example.com/api/jobs/step-failed");
        assertThat(config.token()).isEqualTo(DevCredentials.TOKEN);
    }

    @Test
    void honours_a_regional_or_local_qstash_url() {
        Map<String, String> env = env();
        env.put("QSTASH_URL", "http://127.0.0.1:8080/");
        assertThat(QStashConfig.fromEnvironment(env).qstashUrl()).hasToString("http://127.0.0.1:8080");
    }

    @Test
    void a_missing_token_or_key_or_public_url_is_a_startup_error_naming_the_variable() {
        for (String variable :
                new String[] {"QSTASH_TOKEN", "QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY", "RUNS_PUBLIC_URL"
                }) {
            Map<String, String> env = env();
            env.remove(variable);
            assertThatThrownBy(() -> QStashConfig.fromEnvironment(env))
                    .isInstanceOf(QStashConfigurationException.class)
                    .hasMessageStartingWith(variable + " is not set")
                    .satisfies(e -> assertThat(((QStashConfigurationException) e).variable())
                            .isEqualTo(variable));
        }
    }

    @Test
    void a_truncated_signing_key_or_a_relative_url_is_refused() {
        Map<String, String> shortKey = env();
        shortKey.put("QSTASH_NEXT_SIGNING_KEY", "sig_abc");
        assertThatThrownBy(() -> QStashConfig.fromEnvironment(shortKey))
                .hasMessageContaining("QSTASH_NEXT_SIGNING_KEY is too short")
                .hasMessageNotContaining("sig_abc");
        Map<String, String> relative = env();
        relative.put("RUNS_PUBLIC_URL", "runs.example.com");
        assertThatThrownBy(() -> QStashConfig.fromEnvironment(relative)).hasMessageContaining("RUNS_PUBLIC_URL");
    }

    @Test
    void to_string_never_shows_secrets() {
        String text = QStashConfig.fromEnvironment(env()).toString();
        assertThat(text)
                .contains("https://runs.example.com")
                .doesNotContain(DevCredentials.TOKEN)
                .doesNotContain(DevCredentials.CURRENT_KEY)
                .doesNotContain(DevCredentials.NEXT_KEY);
    }
}
