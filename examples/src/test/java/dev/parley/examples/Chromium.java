package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.testing.TestCertificate;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Real Chromium for the examples' browser tests: Debian's {@code chromium} and
 * {@code chromium-driver} (.ci/run installs them), headless, each browser on a fresh profile.
 */
final class Chromium {
  static final Path BINARY = Path.of(System.getProperty("parley.chromium", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getProperty("parley.chromedriver",
      "/usr/bin/chromedriver"));
  /** How long any one wait in a browser test may take. */
  static final Duration WAIT = Duration.ofSeconds(15);

  private Chromium() {}

  /** Fails with what to install when Chromium or its driver is missing. */
  static void assertInstalled() {
    assertTrue(Files.isExecutable(BINARY) && Files.isExecutable(DRIVER),
        "this test needs Debian's chromium and chromium-driver (" + BINARY + ", " + DRIVER
            + "): apt-get install chromium chromium-driver, as .ci/run does");
  }

  /**
   * A headless Chromium on {@code profile} (a fresh folder, for {@link #deleteProfile} after
   * it); with {@code trustTestCertificate}, it trusts {@link TestCertificate} by its public key,
   * and nothing else beyond the usual.
   */
  static WebDriver start(Path profile, boolean trustTestCertificate) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1100,700", "--user-data-dir=" + profile);
    if (trustTestCertificate) {
      options.addArguments(
          "--ignore-certificate-errors-spki-list=" + TestCertificate.get().spkiSha256());
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  /** A wait of at most {@link #WAIT}, polling every 50 ms, past re-rendered elements. */
  static WebDriverWait waiting(WebDriver d) {
    WebDriverWait w = new WebDriverWait(d, WAIT);
    w.pollingEvery(Duration.ofMillis(50));
    w.ignoring(StaleElementReferenceException.class);
    return w;
  }

  /** Deletes a profile folder and what is in it. */
  static void deleteProfile(Path profile) {
    try (var files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
