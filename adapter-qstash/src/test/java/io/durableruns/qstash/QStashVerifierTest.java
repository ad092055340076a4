package io.durableruns.qstash;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.core.testkit.SettableClock;
import io.durableruns.ports.in.MessageVerifier.Verification;
import io.durableruns.qstash.QStashVerifier.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class QStashVerifierTest {
    private static final String URL = "https://runs.example.com/api/jobs/run-step";
    private static final Instant T0 = Instant.parse("2026-02-01T10:00:00Z");
    private static final byte[] BODY =
            "{\"runId\":\"run_01jx0000000000000000000000\",\"step\":\"plan\"}".getBytes(StandardCharsets.UTF_8);

    private final SettableClock clock = new SettableClock(T0);
    private final QStashSigner currentSigner = new QStashSigner(DevCredentials.CURRENT_KEY, clock);
    private final QStashSigner nextSigner = new QStashSigner(DevCredentials.NEXT_KEY, clock);
    private final QStashVerifier verifier = QStashVerifier.newBuilder()
            .currentSigningKey(DevCredentials.CURRENT_KEY)
            .nextSigningKey(DevCredentials.NEXT_KEY)
            .expectedUrl(URL)
            .leeway(Duration.ofSeconds(5))
            .clock(clock)
            .build();

    private static Map<String, Object> claims(Instant iat, String url, byte[] body) {
        long s = iat.getEpochSecond();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", "Upstash");
        c.put("sub", url);
        c.put("exp", s + 300);
        c.put("nbf", s);
        c.put("iat", s);
        c.put("jti", "jwt_test");
        c.put("body", Base64.getUrlEncoder().encodeToString(BodyHash.sha256(body)));
        c.put("aud", "");
        return c;
    }

    @Test
    void accepts_a_genuine_signature_made_with_the_current_key() {
        Verification v = verifier.verify(currentSigner.sign(URL, BODY), BODY);
        assertThat(v).isEqualTo(Verification.OK);
    }

    @Test
    void accepts_a_signature_made_with_the_next_key_after_rotation() {
        assertThat(verifier.check(nextSigner.sign(URL, BODY), BODY)).isEqualTo(Reason.OK);
    }

    @Test
    void refuses_a_missing_or_blank_header() {
        assertThat(verifier.verify(null, BODY)).isEqualTo(Verification.refused("missing_signature"));
        assertThat(verifier.check("  ", BODY)).isEqualTo(Reason.MISSING_SIGNATURE);
    }

    @Test
    void refuses_a_signature_made_with_another_key() {
        QStashSigner stranger = new QStashSigner("sig_0000000000000000000000000000", clock);
        assertThat(verifier.verify(stranger.sign(URL, BODY), BODY)).isEqualTo(Verification.refused("bad_signature"));
    }

    @Test
    void refuses_a_tampered_signature_part() {
        String token = currentSigner.sign(URL, BODY);
        char last = token.charAt(token.length() - 2);
        String tampered =
                token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
        assertThat(verifier.check(tampered, BODY)).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void refuses_alg_none() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String payload = b64(json(claims(T0, URL, BODY)));
        assertThat(verifier.check(header + "." + payload + ".", BODY)).isEqualTo(Reason.BAD_ALGORITHM);
    }

    @Test
    void refuses_hs512_and_hs384_even_when_keyed_with_the_right_key() throws Exception {
        for (String alg : new String[] {"HS512", "HS384"}) {
            String javaAlg = alg.equals("HS512") ? "HmacSHA512" : "HmacSHA384";
            String signingInput =
                    b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(json(claims(T0, URL, BODY)));
            Mac mac = Mac.getInstance(javaAlg);
            mac.init(new SecretKeySpec(DevCredentials.CURRENT_KEY.getBytes(StandardCharsets.UTF_8), javaAlg));
            String sig = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
            assertThat(verifier.check(signingInput + "." + sig, BODY)).as(alg).isEqualTo(Reason.BAD_ALGORITHM);
        }
    }

    @Test
    void refuses_an_expired_signature_beyond_the_leeway_but_accepts_one_within_it() {
        String token = currentSigner.sign(URL, BODY);
        clock.advance(Duration.ofSeconds(300 + 4));
        assertThat(verifier.check(token, BODY)).isEqualTo(Reason.OK);
        clock.advance(Duration.ofSeconds(1));
        assertThat(verifier.check(token, BODY)).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void refuses_a_signature_not_yet_valid_beyond_the_leeway_but_accepts_one_within_it() {
        String soon = currentSigner.signClaims(claims(T0.plusSeconds(5), URL, BODY));
        String later = currentSigner.signClaims(claims(T0.plusSeconds(6), URL, BODY));
        assertThat(verifier.check(soon, BODY)).isEqualTo(Reason.OK);
        assertThat(verifier.check(later, BODY)).isEqualTo(Reason.NOT_YET_VALID);
    }

    @Test
    void zero_leeway_is_strict_about_expiry() {
        QStashVerifier strict = QStashVerifier.newBuilder()
                .currentSigningKey(DevCredentials.CURRENT_KEY)
                .nextSigningKey(DevCredentials.NEXT_KEY)
                .expectedUrl(URL)
                .leeway(Duration.ZERO)
                .clock(clock)
                .build();
        String token = currentSigner.sign(URL, BODY);
        clock.advance(Duration.ofSeconds(299));
        assertThat(strict.check(token, BODY)).isEqualTo(Reason.OK);
        clock.advance(Duration.ofSeconds(1));
        assertThat(strict.check(token, BODY)).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void refuses_a_wrong_issuer() {
        Map<String, Object> c = claims(T0, URL, BODY);
        c.put("iss", "upstash");
        assertThat(verifier.check(currentSigner.signClaims(c), BODY)).isEqualTo(Reason.WRONG_ISSUER);
        c.remove("iss");
        assertThat(verifier.check(currentSigner.signClaims(c), BODY)).isEqualTo(Reason.WRONG_ISSUER);
    }

    @Test
    void refuses_a_subject_other_than_the_configured_public_url_such_as_the_internal_host() {
        String internal = currentSigner.sign("http://10.0.0.7:8080/api/jobs/run-step", BODY);
        String otherEndpoint = currentSigner.sign("https://runs.example.com/api/jobs/step-failed", BODY);
        assertThat(verifier.check(internal, BODY)).isEqualTo(Reason.WRONG_SUBJECT);
        assertThat(verifier.check(otherEndpoint, BODY)).isEqualTo(Reason.WRONG_SUBJECT);
    }

    @Test
    void refuses_a_body_changed_by_one_byte() {
        String token = currentSigner.sign(URL, BODY);
        byte[] changed = BODY.clone();
        changed[changed.length - 2] ^= 1;
        assertThat(verifier.verify(token, changed)).isEqualTo(Verification.refused("body_mismatch"));
    }

    @Test
    void hashes_the_raw_bytes_so_a_reserialised_body_is_refused() {
        byte[] raw = "{ \"runId\" : \"run_x\",\n \"step\": \"plan\" }".getBytes(StandardCharsets.UTF_8);
        byte[] reserialised = "{\"runId\":\"run_x\",\"step\":\"plan\"}".getBytes(StandardCharsets.UTF_8);
        String token = currentSigner.sign(URL, raw);
        assertThat(verifier.check(token, raw)).isEqualTo(Reason.OK);
        assertThat(verifier.check(token, reserialised)).isEqualTo(Reason.BODY_MISMATCH);
    }

    @Test
    void accepts_binary_and_empty_bodies() {
        byte[] binary = {(byte) 0xff, 0, (byte) 0xc3, 0x28};
        assertThat(verifier.check(currentSigner.sign(URL, binary), binary)).isEqualTo(Reason.OK);
        assertThat(verifier.check(currentSigner.sign(URL, new byte[0]), null)).isEqualTo(Reason.OK);
    }

    @Test
    void compares_the_body_hash_whether_or_not_the_claim_is_padded() {
        Map<String, Object> padded = claims(T0, URL, BODY);
        assertThat((String) padded.get("body")).endsWith("=");
        Map<String, Object> unpadded = claims(T0, URL, BODY);
        unpadded.put("body", Base64.getUrlEncoder().withoutPadding().encodeToString(BodyHash.sha256(BODY)));
        Map<String, Object> doubled = claims(T0, URL, BODY);
        doubled.put("body", padded.get("body") + "=");
        assertThat(verifier.check(currentSigner.signClaims(padded), BODY)).isEqualTo(Reason.OK);
        assertThat(verifier.check(currentSigner.signClaims(unpadded), BODY)).isEqualTo(Reason.OK);
        assertThat(verifier.check(currentSigner.signClaims(doubled), BODY)).isEqualTo(Reason.OK);
    }

    @Test
    void tolerates_unknown_claims_and_an_empty_audience() {
        Map<String, Object> c = claims(T0, URL, BODY);
        c.put("region", "eu-central-1");
        c.put("aud", "");
        assertThat(verifier.check(currentSigner.signClaims(c), BODY)).isEqualTo(Reason.OK);
    }

    @Test
    void refuses_tokens_without_expiry_or_with_claims_of_the_wrong_type_as_malformed() {
        Map<String, Object> noExp = claims(T0, URL, BODY);
        noExp.remove("exp");
        Map<String, Object> numericIss = claims(T0, URL, BODY);
        numericIss.put("iss", 42);
        Map<String, Object> textExp = claims(T0, URL, BODY);
        textExp.put("exp", "tomorrow");
        assertThat(verifier.check(currentSigner.signClaims(noExp), BODY)).isEqualTo(Reason.MALFORMED);
        assertThat(verifier.check(currentSigner.signClaims(numericIss), BODY)).isEqualTo(Reason.MALFORMED);
        assertThat(verifier.check(currentSigner.signClaims(textExp), BODY)).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void never_throws_for_garbage() {
        for (String garbage : new String[] {
            "x", "a.b", "a.b.c", "....", "%%%.%%%.%%%", "e30.e30.e30", b64("[1,2]") + ".e30.x", "x".repeat(100_000)
        }) {
            assertThat(verifier.check(garbage, BODY))
                    .as(garbage.length() > 40 ? "long" : garbage)
                    .isIn(Reason.MALFORMED, Reason.BAD_ALGORITHM);
        }
    }

    @Test
    void a_verifier_built_from_config_checks_its_own_endpoint() {
        QStashConfig config = QStashConfig.newBuilder()
                .token(DevCredentials.TOKEN)
                .currentSigningKey(DevCredentials.CURRENT_KEY)
                .nextSigningKey(DevCredentials.NEXT_KEY)
                .publicUrl("https://runs.example.com/")
                .build();
        QStashSigner signer = new QStashSigner(DevCredentials.CURRENT_KEY);
        QStashVerifier steps = QStashVerifier.forStepEndpoint(config);
        QStashVerifier failures = QStashVerifier.forFailureCallback(config);
        String toSteps = signer.sign("https://runs.example.com/api/jobs/run-step", BODY);
        String toFailures = signer.sign("https://runs.example.com/api/jobs/step-failed", BODY);
        assertThat(steps.check(toSteps, BODY)).isEqualTo(Reason.OK);
        assertThat(steps.check(toFailures, BODY)).isEqualTo(Reason.WRONG_SUBJECT);
        assertThat(failures.check(toFailures, BODY)).isEqualTo(Reason.OK);
        assertThat(failures.check(toSteps, BODY)).isEqualTo(Reason.WRONG_SUBJECT);
        QStashVerifier both = QStashVerifier.forJobEndpoints(config);
        assertThat(both.check(toSteps, BODY)).isEqualTo(Reason.OK);
        assertThat(both.check(toFailures, BODY)).isEqualTo(Reason.OK);
        assertThat(both.check(signer.sign("https://runs.example.com/api/other", BODY), BODY))
                .isEqualTo(Reason.WRONG_SUBJECT);
    }

    @Test
    void the_signer_produces_exactly_the_qstash_header_and_claims() throws Exception {
        String token = currentSigner.sign(URL, BODY);
        String[] parts = token.split("\\.");
        assertThat(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8))
                .isEqualTo("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        Map<String, Object> claims = com.nimbusds.jose.util.JSONObjectUtils.parse(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        long iat = T0.getEpochSecond();
        assertThat(claims)
                .containsEntry("iss", "Upstash")
                .containsEntry("sub", URL)
                .containsEntry("aud", "")
                .containsEntry("iat", iat)
                .containsEntry("nbf", iat)
                .containsEntry("exp", iat + 300)
                .containsEntry("body", BodyHash.padded(BODY));
        assertThat((String) claims.get("body")).hasSize(44).endsWith("=");
        assertThat((String) claims.get("jti")).startsWith("jwt_");
        assertThat(currentSigner.sign(URL, BODY)).isNotEqualTo(token);
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String json(Map<String, Object> claims) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(claims);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
