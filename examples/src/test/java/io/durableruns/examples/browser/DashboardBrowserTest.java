package io.durableruns.examples.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.durableruns.examples.e2e.Http;
import io.durableruns.examples.server.RunsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium over the standalone server: find a failed run, see why it failed,
 * retry it and see it succeed; cancel a slow run; markup in errors and tool output shows as characters. Saves
 * screenshots of the runs page, a failed run and a succeeded run under {@code target/screenshots}.
 */
class DashboardBrowserTest {
    private static final String XSS =
            "<script>window.__xss='script'</script><img src=x onerror=\"window.__xss='img'\">";

    @TempDir
    Path dir;

    private RunsServer server;
    private Http http;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private String base;

    @BeforeEach
    void start() {
        browser = Chromium.start(dir.resolve("profile"));
        // The run page redraws itself as the run moves on, so an element found a moment ago may be gone.
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
        server = RunsServer.start(
                Map.of("PORT", "0", "DATABASE_URL", "jdbc:sqlite:" + dir.resolve("runs.db"), "RUNS_WORKERS", "4"));
        http = new Http(server.port());
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    private String create(String body) {
        Http.Answer created = http.post("/api/runs", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().path("id").asText();
    }

    private JsonNode awaitStatus(String id, String status) throws InterruptedException {
        return http.await("/api/runs/" + id, r -> r.path("status").asText().equals(status), Duration.ofSeconds(30));
    }

    private WebElement visible(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private void awaitRunStatus(String status) {
        wait.until(ExpectedConditions.attributeToBe(By.cssSelector("#run-status .badge"), "data-status", status));
    }

    /** The text of an element of a page that may redraw it meanwhile. */
    private String textOf(By by) {
        return wait.until(d -> d.findElement(by).getText());
    }

    /** Clicks an element of a page that may redraw it meanwhile (the runs page refreshes itself). */
    private void click(By by) {
        wait.until(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    private void confirm() {
        visible(By.id("confirm-dialog"));
        browser.findElement(By.id("confirm-yes")).click();
    }

    @Test
    void a_failed_run_is_found_explained_retried_and_succeeds() throws Exception {
        String id = create("{\"graph\":\"flaky\",\"input\":{\"failTimes\":{\"wobble\":2}}}");
        awaitStatus(id, "FAILED");
        String succeeded = create("{\"graph\":\"research\",\"input\":{\"topic\":\"durable execution\","
                + "\"failTimes\":{\"synthesize\":1}}}");
        awaitStatus(succeeded, "SUCCEEDED");

        browser.get(base + "/");
        By row = By.cssSelector("tr[data-run-id='" + id + "']");
        assertThat(textOf(row)).contains("flaky", "Failed", "wobble");
        assertThat(textOf(By.cssSelector("[data-status-filter='FAILED'] .chip-count")))
                .isEqualTo("1");
        Chromium.screenshot(browser, "runs-page");

        click(By.cssSelector("[data-status-filter='FAILED']"));
        wait.until(ExpectedConditions.urlContains("status=FAILED"));
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-run-id]"), 1));

        click(By.cssSelector("tr[data-run-id='" + id + "'] a.run-link"));
        wait.until(ExpectedConditions.urlToBe(base + "/runs/" + id));
        WebElement failure = visible(By.id("failure-summary"));
        assertThat(failure.getText()).contains("wobble", "asked to fail 2 time(s); this is attempt 2");
        WebElement wobble = browser.findElement(By.id("step-wobble"));
        assertThat(wobble.findElement(By.cssSelector(".badge")).getDomAttribute("data-status"))
                .isEqualTo("FAILED");
        assertThat(wobble.findElements(By.cssSelector(".attempt .error-message")))
                .extracting(WebElement::getText)
                .containsExactly(
                        "step 'wobble' was asked to fail 2 time(s); this is attempt 1",
                        "step 'wobble' was asked to fail 2 time(s); this is attempt 2");
        assertThat(browser.findElements(By.id("cancel-run"))).isEmpty();
        Chromium.screenshot(browser, "failed-run");

        browser.findElement(By.id("retry-run")).click();
        confirm();
        assertThat(visible(By.id("notice")).getText()).contains("Retry requested");
        awaitRunStatus("SUCCEEDED");
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("retry-run")));
        assertThat(browser.findElement(By.id("run-output")).getText()).contains("\"attempt\":3");

        browser.navigate().back();
        wait.until(ExpectedConditions.urlToBe(base + "/?status=FAILED"));
        visible(By.cssSelector("tbody td.empty"));
        browser.navigate().forward();
        awaitRunStatus("SUCCEEDED");

        browser.get(base + "/runs/" + succeeded);
        awaitRunStatus("SUCCEEDED");
        visible(By.cssSelector("[data-artifact='write-spec/spec.md']"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-artifact='write-spec/spec.md']"), "# Spec: durable execution"));
        assertThat(browser.findElements(By.cssSelector("svg.dag .dag-node"))).hasSize(5);
        Chromium.screenshot(browser, "succeeded-run");
        assertNoPageErrors();
    }

    @Test
    void a_slow_run_is_cancelled_from_its_page() throws Exception {
        String id = create("{\"graph\":\"research\",\"input\":{\"topic\":\"slow\",\"sleepMs\":8000}}");
        awaitStatus(id, "RUNNING");

        browser.get(base + "/runs/" + id);
        awaitRunStatus("RUNNING");
        assertThat(visible(By.cssSelector("#step-plan .reason")).getText()).contains("lease held by");
        assertThat(browser.findElements(By.id("retry-run"))).isEmpty();
        click(By.id("cancel-run"));
        confirm();

        awaitRunStatus("CANCELLED");
        assertThat(visible(By.id("notice")).getText()).contains("Run cancelled");
        assertThat(browser.findElements(By.id("cancel-run"))).isEmpty();
        assertThat(http.get("/api/runs/" + id).json().path("status").asText()).isEqualTo("CANCELLED");
        assertNoPageErrors();
    }

    @Test
    void markup_in_an_error_message_or_a_tool_output_shows_as_characters() throws Exception {
        String failed = create("{\"graph\":\"flaky\",\"input\":{\"failTimes\":{\"wobble\":9},\"failMessage\":"
                + http.quote(XSS) + "}}");
        String tooled = create("{\"graph\":\"research\",\"input\":{\"topic\":" + http.quote(XSS) + "}}");
        awaitStatus(failed, "FAILED");
        awaitStatus(tooled, "SUCCEEDED");

        browser.get(base + "/runs/" + failed);
        WebElement message = visible(By.cssSelector("#step-wobble .error-message"));
        assertThat(message.getText()).isEqualTo(XSS);
        assertThat(visible(By.id("failure-summary")).getText()).contains(XSS);

        browser.get(base + "/runs/" + tooled);
        awaitRunStatus("SUCCEEDED");
        browser.findElement(By.cssSelector("#step-plan > summary")).click();
        WebElement planTools = visible(By.cssSelector("#step-plan table.tools"));
        assertThat(planTools.getText()).contains("<img src=x onerror=");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("[data-artifact='write-spec/spec.md']"), "# Spec: <script>"));

        browser.get(base + "/?id=" + failed);
        visible(By.cssSelector("tr[data-run-id='" + failed + "']"));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.__xss === undefined"))
                .isEqualTo(true);
        assertThat(browser.findElements(By.cssSelector("main img, main script")))
                .isEmpty();
        assertNoPageErrors();
    }

    @Test
    void the_runs_page_refreshes_itself_keeping_the_filter_and_the_scroll() throws Exception {
        for (int i = 0; i < 3; i++) {
            awaitStatus(create("{\"graph\":\"flaky\"}"), "SUCCEEDED");
        }
        awaitStatus(create("{\"graph\":\"research\"}"), "SUCCEEDED");
        browser.manage().window().setSize(new Dimension(1000, 320));
        browser.get(base + "/?graph=flaky");
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-run-id]"), 3));
        JavascriptExecutor js = browser;
        js.executeScript("window.scrollTo(0, document.documentElement.scrollHeight)");
        long scrolled = ((Number) js.executeScript("return window.scrollY")).longValue();
        assertThat(scrolled).isPositive();

        String added = create("{\"graph\":\"flaky\"}");

        visible(By.cssSelector("tr[data-run-id='" + added + "']"));
        assertThat(browser.findElements(By.cssSelector("tr[data-run-id]"))).hasSize(4);
        assertThat(((Number) js.executeScript("return window.scrollY")).longValue())
                .isEqualTo(scrolled);
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/?graph=flaky");
        assertThat(js.executeScript("return document.getElementById('graph-filter').value"))
                .isEqualTo("flaky");
        assertNoPageErrors();
    }

    @Test
    void runs_are_paged_older_and_newer_and_the_back_button_returns_to_a_page() {
        String oldest = create("{\"graph\":\"flaky\"}");
        for (int i = 0; i < 50; i++) {
            create("{\"graph\":\"flaky\"}");
        }
        browser.get(base + "/");
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-run-id]"), 50));
        assertThat(browser.findElements(By.cssSelector("tr[data-run-id='" + oldest + "']")))
                .isEmpty();

        click(By.id("older-page"));
        visible(By.cssSelector("tr[data-run-id='" + oldest + "']"));
        assertThat(browser.findElements(By.cssSelector("tr[data-run-id]"))).hasSize(1);
        assertThat(browser.findElements(By.id("older-page"))).isEmpty();
        String secondPage = browser.getCurrentUrl();
        assertThat(secondPage).contains("cursor=", "page=2");

        click(By.id("newer-page"));
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-run-id]"), 50));
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/");
        browser.navigate().back();
        wait.until(ExpectedConditions.urlToBe(secondPage));
        visible(By.cssSelector("tr[data-run-id='" + oldest + "']"));
    }

    @Test
    void with_a_token_the_page_asks_for_it_once_and_keeps_it_in_the_tab_only() throws Exception {
        String token = "dashboard-test-token";
        try (RunsServer secured = RunsServer.start(Map.of(
                "PORT",
                "0",
                "DATABASE_URL",
                "jdbc:sqlite:" + dir.resolve("secured.db"),
                "RUNS_WORKERS",
                "1",
                "RUNS_API_TOKEN",
                token,
                "RUNS_HOST",
                "127.0.0.1"))) {
            String securedBase = "http://127.0.0.1:" + secured.port();
            browser.get(securedBase + "/");
            enterToken("not-the-token");
            assertThat(visible(By.id("token-error")).getText()).contains("refused");
            enterToken(token);

            wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("token-dialog")));
            visible(By.cssSelector("tbody td.empty"));
            JavascriptExecutor js = browser;
            assertThat(js.executeScript("return sessionStorage.getItem('durable-runs.api-token')"))
                    .isEqualTo(token);
            assertThat(js.executeScript("return document.cookie")).isEqualTo("");
            click(By.cssSelector("nav a[data-section='graphs']"));
            visible(By.cssSelector("[data-graph='research@1']"));
            assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).isFalse();
        }
    }

    private void enterToken(String token) {
        WebElement input = visible(By.id("token-input"));
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.cssSelector("#token-form button")).click();
    }

    @Test
    void a_status_the_page_does_not_know_is_shown_by_its_name_in_a_neutral_style() {
        browser.get(base + "/graphs");
        visible(By.cssSelector("[data-graph='flaky@1']"));
        Object badges = ((JavascriptExecutor) browser)
                .executeAsyncScript("const done = arguments[arguments.length - 1];"
                        + "import('/assets/status.js').then(m => done(['SKIPPED', 'FAILED'].map(s => {"
                        + "  const b = m.badge(s); return b.className + '|' + b.textContent; })),"
                        + " e => done(String(e)));");
        assertThat(badges).isEqualTo(List.of("badge tone-unknown|SKIPPED", "badge tone-failed|Failed"));
    }

    /** No script error and no Content-Security-Policy violation was reported by the page. */
    private void assertNoPageErrors() {
        List<LogEntry> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> !e.getMessage().contains("the server responded with a status of 409"))
                .toList();
        assertThat(severe).extracting(LogEntry::getMessage).isEmpty();
    }
}
