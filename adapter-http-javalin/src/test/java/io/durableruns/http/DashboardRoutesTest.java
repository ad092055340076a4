package io.durableruns.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.durableruns.http.TestApi.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DashboardRoutesTest {
    private static final List<String> MODULES = List.of(
            "main.js",
            "api.js",
            "dom.js",
            "ui.js",
            "status.js",
            "format.js",
            "dag.js",
            "attempts.js",
            "runs-page.js",
            "run-page.js",
            "timeline.js",
            "artifacts.js",
            "graphs-page.js");

    private final TestApi api = TestApi.start();

    @AfterEach
    void stop() {
        api.close();
    }

    private static String resource(String file) throws IOException {
        try (InputStream in = DashboardRoutes.class.getResourceAsStream("dashboard/" + file)) {
            assertThat(in).as(file).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void the_page_is_served_for_every_dashboard_path_with_a_strict_content_security_policy() {
        for (String path :
                List.of("/", "/?status=FAILED&graph=demo", "/runs/run_00000000000000000000000000", "/graphs")) {
            Response r = api.get(path);
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.header("Content-Type")).startsWith("text/html");
            assertThat(r.text()).contains("<script type=\"module\" src=\"/assets/main.js\"></script>");
            String policy = r.header("Content-Security-Policy");
            assertThat(policy)
                    .contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline", "unsafe-eval", "*");
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
        }
    }

    @Test
    void assets_are_served_with_their_types_and_revalidated_by_etag() {
        Response js = api.get("/assets/main.js");
        Response css = api.get("/assets/app.css");
        Response icon = api.get("/assets/favicon.svg");

        assertThat(js.status()).isEqualTo(200);
        assertThat(js.header("Content-Type")).startsWith("text/javascript");
        assertThat(css.header("Content-Type")).startsWith("text/css");
        assertThat(icon.header("Content-Type")).startsWith("image/svg+xml");
        assertThat(js.header("Content-Security-Policy")).contains("script-src 'self'");
        Response again = api.send(api.request("/assets/main.js").header("If-None-Match", js.header("ETag")));
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void only_known_asset_names_are_served() {
        for (String path :
                List.of("/assets/missing.js", "/assets/index.html", "/assets/..%2Fapi.js", "/assets/Main.js")) {
            assertThat(api.get(path).status()).as(path).isEqualTo(404);
        }
        assertThat(api.get("/runs").status()).isEqualTo(404);
    }

    @Test
    void every_module_is_served_and_none_parses_html_or_evaluates_code() throws IOException {
        Pattern forbidden = Pattern.compile(
                "innerHTML|outerHTML|insertAdjacentHTML|document\\.write|\\beval\\(|new Function|setTimeout\\(['\"`]"
                        + "|DOMParser|createContextualFragment|srcdoc");
        for (String module : MODULES) {
            assertThat(api.get("/assets/" + module).status()).as(module).isEqualTo(200);
            assertThat(forbidden.matcher(resource(module)).find()).as(module).isFalse();
        }
        String page = resource("index.html");
        assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(page).find())
                .isFalse();
        assertThat(Pattern.compile("\\son[a-z]+=|\\sstyle=").matcher(page).find())
                .isFalse();
    }

    @Test
    void the_api_answers_carry_a_policy_that_allows_nothing() {
        assertThat(api.get("/api/runs").header("Content-Security-Policy"))
                .isEqualTo("default-src 'none'; frame-ancestors 'none'");
    }
}
