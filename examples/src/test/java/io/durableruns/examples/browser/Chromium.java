package io.durableruns.examples.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The machine's headless Chromium, driven through its own chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code CHROMIUM_BIN} and {@code CHROMEDRIVER_BIN} override the paths), so that nothing
 * is downloaded at run time. Outside CI a missing browser skips the test with a message; with {@code CI=true} it
 * fails it.
 */
final class Chromium {
    static final int WIDTH = 1400;
    static final int HEIGHT = 1000;

    private Chromium() {}

    private static Path path(String variable, String fallback) {
        String value = System.getenv(variable);
        return Path.of(value == null || value.isBlank() ? fallback : value);
    }

    /** Starts a fresh headless browser with a profile of its own in {@code profile}. */
    static ChromeDriver start(Path profile) {
        Path browser = path("CHROMIUM_BIN", "/usr/bin/chromium");
        Path driver = path("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");
        if (!Files.isExecutable(browser) || !Files.isExecutable(driver)) {
            String message = "Chromium or chromedriver is missing (" + browser + ", " + driver
                    + "): install the Debian packages chromium and chromium-driver (.ci/run does)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true but the browser test cannot run. " + message);
            }
            Assumptions.abort("Browser test skipped. " + message);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.toFile())
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(60))
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments(List.of(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--window-size=" + WIDTH + "," + HEIGHT,
                "--user-data-dir=" + profile.toAbsolutePath()));
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        return new ChromeDriver(service, options);
    }

    /** Saves a picture of the whole page (the window is stretched to the page's height, then restored). */
    static Path screenshot(ChromeDriver driver, String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        long height = ((Number) ((JavascriptExecutor) driver)
                        .executeScript("return Math.max(document.documentElement.scrollHeight, window.innerHeight)"))
                .longValue();
        driver.manage().window().setSize(new Dimension(WIDTH, (int) Math.min(height + 20, 6000)));
        try {
            Path file = dir.resolve(name + ".png");
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } finally {
            driver.manage().window().setSize(new Dimension(WIDTH, HEIGHT));
        }
    }
}
