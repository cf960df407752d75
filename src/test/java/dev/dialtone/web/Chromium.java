package dev.dialtone.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium and its chromedriver for the console's browser tests: found at
 * {@code /usr/bin}, installed with apt-get when missing (CI runs as root), and started with a
 * fresh profile, a fake microphone fed from a WAV file, and autoplay allowed.
 */
final class Chromium {
    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final int WIDTH = 1280;
    static final int HEIGHT = 900;

    private Chromium() {
    }

    /** Makes sure Chromium and chromedriver are there, installing the Debian packages if needed. */
    static void ensureInstalled() {
        if (present()) {
            return;
        }
        var failure = install();
        if (!present()) {
            throw new IllegalStateException("""
                    The console's browser test needs Debian's Chromium and chromedriver at %s and %s. \
                    Installing them failed (%s). Install them by hand: \
                    apt-get update && apt-get install -y chromium chromium-driver"""
                    .formatted(BROWSER, DRIVER, failure));
        }
    }

    private static boolean present() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    }

    /** Runs apt-get as root; returns why it could not, or "" when it ran. */
    private static String install() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not running as root, so apt-get cannot be used";
        }
        try {
            var apt = new ProcessBuilder("sh", "-c",
                    "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver")
                    .redirectErrorStream(true).start();
            var output = new String(apt.getInputStream().readAllBytes());
            if (!apt.waitFor(10, TimeUnit.MINUTES)) {
                apt.destroyForcibly();
                return "apt-get took more than 10 minutes";
            }
            if (apt.exitValue() != 0) {
                var lines = output.strip().lines().toList();
                return "apt-get exited with " + apt.exitValue() + ": "
                       + String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
            }
            return "";
        } catch (IOException e) {
            return "cannot run apt-get: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Starts a headless Chromium whose microphone plays {@code microphone} once (then silence), with
     * a fresh profile under {@code profile}.
     */
    static ChromeDriver start(Path microphone, Path profile) {
        ensureInstalled();
        var args = new ArrayList<>(List.of(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath(),
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                // %noloop: play the file once; without it the fake device loops it forever
                "--use-file-for-fake-audio-capture=" + microphone.toAbsolutePath() + "%noloop",
                "--autoplay-policy=no-user-gesture-required",
                "--window-size=" + WIDTH + "," + HEIGHT, "--force-device-scale-factor=1", "--lang=en-US"));
        var options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        options.addArguments(args);
        var logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL); // the page's console, checked by the tests
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        var service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                                                       .usingAnyFreePort().withSilent(true).build();
        var driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }
}
