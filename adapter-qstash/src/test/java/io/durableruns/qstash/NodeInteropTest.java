package io.durableruns.qstash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.durableruns.qstash.QStashVerifier.Reason;
import io.durableruns.qstash.RecordingEndpoint.Request;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Interop with the official QStash SDK and an independent JOSE library, through the Node scripts in
 * {@code src/test/node}. Needs {@code npm ci --prefix adapter-qstash/src/test/node}: without it the tests are
 * skipped, or fail when {@code CI=true}.
 */
class NodeInteropTest {
    private static final Path NODE_DIR = Path.of(System.getProperty("user.dir"), "src", "test", "node");
    private static final String INSTALL = "npm ci --prefix adapter-qstash/src/test/node";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final RecordingEndpoint endpoint = new RecordingEndpoint();
    private final QStashEmulator emulator =
            QStashEmulator.newBuilder().port(0).timeScale(0.001).start();

    @BeforeAll
    static void requireNodeModules() {
        String problem = null;
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/@upstash/qstash"))
                || !Files.isDirectory(NODE_DIR.resolve("node_modules/jose"))) {
            problem = "The QStash interop tests need the Node packages of " + NODE_DIR + ": run `" + INSTALL
                    + "` from the repository root before Maven.";
        } else if (!nodeRuns()) {
            problem = "The QStash interop tests need Node.js (`node` on the PATH).";
        }
        if (problem != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(problem);
            }
            Assumptions.abort(problem);
        }
    }

    @AfterEach
    void close() {
        emulator.close();
        endpoint.close();
    }

    @Test
    void the_official_receiver_verifies_emulator_deliveries_and_rejects_them_after_tampering() throws Exception {
        QStashPublisher publisher = new QStashPublisher(
                emulator.url(), emulator.token(), QStashPublisher.defaultClient(), Duration.ofSeconds(10));
        String url = endpoint.url("/api/jobs/run-step");
        publisher.publish(new QStashPublisher.Message(
                url,
                "{\"runId\":\"run_01\",\"step\":\"plan\", \"note\": \"caf\u00e9 \u2713\"}"
                        .getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json")));
        Request delivery = endpoint.await("/api/jobs/run-step", 1).get(0);
        String signature = delivery.header("Upstash-Signature");
        String body = delivery.bodyText();
        byte[] tamperedBody = (body.substring(0, body.length() - 2) + "!}").getBytes(StandardCharsets.UTF_8);
        String tamperedSignature = flipLastSignatureChar(signature);

        ArrayNode cases = EmulatorClient.JSON.createArrayNode();
        addCase(cases, "genuine", signature, delivery.body(), url);
        addCase(cases, "tampered_body", signature, tamperedBody, url);
        addCase(cases, "tampered_url", signature, delivery.body(), url + "?x=1");
        addCase(cases, "tampered_signature", tamperedSignature, delivery.body(), url);

        Map<String, Boolean> withCurrentKey =
                receiverVerdicts(emulator.currentSigningKey(), emulator.nextSigningKey(), cases);
        assertThat(withCurrentKey)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "genuine", true, "tampered_body", false, "tampered_url", false, "tampered_signature", false));
        Map<String, Boolean> afterRotation =
                receiverVerdicts("sig_0000000000000000000000000000", emulator.currentSigningKey(), cases);
        assertThat(afterRotation).containsEntry("genuine", true).containsEntry("tampered_body", false);
    }

    @Test
    void the_official_client_publishes_to_the_emulator_which_delivers_like_qstash() throws Exception {
        ObjectNode input = EmulatorClient.JSON
                .createObjectNode()
                .put("baseUrl", emulator.url().toString())
                .put("token", emulator.token())
                .put("url", endpoint.url("/sdk"))
                .put("retries", 2)
                .put("deduplicationId", "sdk-dedup_1");
        input.putObject("body").put("hello", "sdk");
        input.putObject("headers").put("X-Custom", "c1");
        JsonNode out = runNode("client-publish.mjs", input);

        String messageId = out.get("first").get("messageId").asText();
        assertThat(messageId).startsWith("msg_");
        assertThat(out.get("second").get("messageId").asText()).isEqualTo(messageId);
        assertThat(out.get("second").get("deduplicated").asBoolean()).isTrue();
        assertThat(out.get("batch")).hasSize(2);

        endpoint.await("/sdk", 3);
        assertThat(emulator.awaitIdle(WAIT)).isTrue();
        List<Request> single = endpoint.requests().stream()
                .filter(r -> r.path().equals("/sdk"))
                .toList();
        assertThat(single).hasSize(1);
        Request delivery = single.get(0);
        assertThat(delivery.bodyText()).isEqualTo("{\"hello\":\"sdk\"}");
        assertThat(delivery.header("Content-Type")).isEqualTo("application/json");
        assertThat(delivery.header("X-Custom")).isEqualTo("c1");
        assertThat(delivery.header("User-Agent")).isEqualTo("Upstash-QStash");
        assertThat(delivery.header("Upstash-Message-Id")).isEqualTo(messageId);
        assertThat(delivery.header("Upstash-Retried")).isEqualTo("0");
        QStashVerifier verifier = QStashVerifier.newBuilder()
                .currentSigningKey(emulator.currentSigningKey())
                .nextSigningKey(emulator.nextSigningKey())
                .expectedUrl(endpoint.url("/sdk"))
                .build();
        assertThat(verifier.check(delivery.header("Upstash-Signature"), delivery.body()))
                .isEqualTo(Reason.OK);
        assertThat(endpoint.requests("/sdk?batch="))
                .extracting(Request::bodyText)
                .containsExactlyInAnyOrder("{\"n\":1}", "{\"n\":2}");
    }

    @Test
    void our_verifier_accepts_a_jose_signed_token_and_rejects_every_standard_forgery() throws Exception {
        String url = "https://runs.example.com/api/jobs/run-step";
        byte[] body = "{\"runId\":\"run_01jx\",\"step\":\"plan\"}".getBytes(StandardCharsets.UTF_8);
        QStashVerifier verifier = QStashVerifier.newBuilder()
                .currentSigningKey(DevCredentials.CURRENT_KEY)
                .nextSigningKey(DevCredentials.NEXT_KEY)
                .expectedUrl(url)
                .build();
        Map<String, Reason> expected = new HashMap<>();
        expected.put("genuine", Reason.OK);
        expected.put("wrong_key", Reason.BAD_SIGNATURE);
        expected.put("alg_none", Reason.BAD_ALGORITHM);
        expected.put("hs512", Reason.BAD_ALGORITHM);
        expected.put("expired", Reason.EXPIRED);
        expected.put("not_yet_valid", Reason.NOT_YET_VALID);
        expected.put("wrong_iss", Reason.WRONG_ISSUER);
        expected.put("wrong_sub", Reason.WRONG_SUBJECT);
        expected.put("body_changed", Reason.BODY_MISMATCH);
        expected.put("missing_header", Reason.MISSING_SIGNATURE);

        for (String key : new String[] {DevCredentials.CURRENT_KEY, DevCredentials.NEXT_KEY}) {
            ObjectNode input = EmulatorClient.JSON
                    .createObjectNode()
                    .put("key", key)
                    .put("otherKey", "sig_9zzzzzzzzzzzzzzzzzzzzzzzzzzz")
                    .put("url", url)
                    .put("bodyBase64", Base64.getEncoder().encodeToString(body))
                    .put("now", Instant.now().getEpochSecond());
            JsonNode tokens = runNode("jose-forgeries.mjs", input).get("tokens");
            assertThat(tokens.size()).isEqualTo(expected.size());
            Map<String, Reason> actual = new HashMap<>();
            tokens.properties().forEach(e -> {
                JsonNode sig = e.getValue().get("signature");
                byte[] bytes = Base64.getDecoder()
                        .decode(e.getValue().get("bodyBase64").asText());
                actual.put(e.getKey(), verifier.check(sig.isNull() ? null : sig.asText(), bytes));
            });
            assertThat(actual)
                    .as("signed with " + (key.equals(DevCredentials.CURRENT_KEY) ? "current" : "next") + " key")
                    .containsExactlyInAnyOrderEntriesOf(expected);
        }
    }

    private static void addCase(ArrayNode cases, String name, String signature, byte[] body, String url) {
        cases.addObject()
                .put("name", name)
                .put("signature", signature)
                .put("bodyBase64", Base64.getEncoder().encodeToString(body))
                .put("url", url);
    }

    private static Map<String, Boolean> receiverVerdicts(String current, String next, ArrayNode cases)
            throws Exception {
        ObjectNode input = EmulatorClient.JSON
                .createObjectNode()
                .put("currentSigningKey", current)
                .put("nextSigningKey", next);
        input.set("cases", cases);
        Map<String, Boolean> verdicts = new HashMap<>();
        runNode("receiver-verify.mjs", input)
                .get("results")
                .forEach(
                        r -> verdicts.put(r.get("name").asText(), r.get("valid").asBoolean()));
        return verdicts;
    }

    private static String flipLastSignatureChar(String token) {
        int i = token.length() - 2;
        char c = token.charAt(i);
        return token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
    }

    private static boolean nodeRuns() {
        try {
            Process p = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static JsonNode runNode(String script, JsonNode input) throws Exception {
        Process p = new ProcessBuilder("node", script, EmulatorClient.JSON.writeValueAsString(input))
                .directory(NODE_DIR.toFile())
                .start();
        CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("node " + script + " did not finish within 60 s");
        }
        String out = new String(stdout.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        String err = new String(stderr.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail("node " + script + " exited with " + p.exitValue() + ":\n" + err + "\n" + out);
        }
        return EmulatorClient.JSON.readTree(out);
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
