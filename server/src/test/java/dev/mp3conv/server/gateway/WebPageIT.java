package dev.mp3conv.server.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mp3conv.model.Json;
import dev.mp3conv.server.Mp3convServer;
import dev.mp3conv.server.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The web page end to end in headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * through Selenium) against a real server running the auth, gateway and converter roles: an account made
 * on the page, two videos uploaded with tus-js-client and converted, one downloaded and probed, one
 * deleted, the list after a reload, signing out; a hostile file name; an upload resumed after a reload;
 * the sign-in errors; and no console errors. Skipped, saying so, only when chromium is missing and
 * {@code CI} is unset. Screenshots go to {@code target/web-page*.png}.
 */
class WebPageIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String FFMPEG = "/usr/bin/ffmpeg";
    private static final String FFPROBE = "/usr/bin/ffprobe";
    private static final String PASSWORD = "correct horse battery";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The accessibility checker, pinned. */
    private static final String AXE_CORE = "axe-core@4.14.1";
    private static final Path NODE_DIR = Path.of("target", "node-axe").toAbsolutePath();

    @TempDir
    Path dataDir;
    @TempDir
    Path work;
    @TempDir
    Path downloads;

    private Mp3convServer server;
    private ChromeDriver driver;
    private final List<LogEntry> console = new ArrayList<>();

    @BeforeAll
    static void chromiumInstalled() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (System.getenv("CI") == null) {
            assumeThat(installed).as("WebPageIT needs Debian's chromium and chromium-driver "
                    + "(apt-get install chromium chromium-driver); skipped because they are missing and CI is unset")
                    .isTrue();
        }
        assertThat(installed).as("chromium and chromedriver under /usr/bin (CI is set: .ci/run installs them)").isTrue();
    }

    @BeforeEach
    void start() {
        server = startServer(Map.of());
        driver = browser();
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void createAccountConvertTwoVideosDownloadOneDeleteTheOtherReloadAndSignOut() throws Exception {
        Path first = video("first-talk.mp4", 440);
        Path second = video("second-talk.mp4", 660);
        open();
        assertThat(driver.findElement(By.cssSelector("label[for=email]")).getText()).isEqualTo("Email");
        assertThat(driver.findElement(By.cssSelector("label[for=password]")).getText()).isEqualTo("Password");
        assertThat(firstLoadBytes()).as("bytes Chromium transferred for the first load").isLessThan(200_000);
        createAccount("ann@example.com");

        new Select(driver.findElement(By.id("sound"))).selectByVisibleText("192 kbit/s");
        recordStates();
        driver.findElement(By.id("files")).sendKeys(first + "\n" + second);
        awaitState("first-talk.mp4", "Done");
        awaitState("second-talk.mp4", "Done");
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) js("return window.statesSeen;");
        assertThat(seen).anyMatch(s -> s.startsWith("Uploading")).contains("Queued", "Done")
                .anyMatch(s -> s.startsWith("Converting") || s.equals("Queued"));
        assertThat(row("first-talk.mp4").findElement(By.className("job-meta")).getText()).startsWith("Kept until ");

        row("first-talk.mp4").findElement(By.linkText("Download")).click();
        Path mp3 = downloads.resolve("first-talk.mp3");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.isRegularFile(mp3) && Files.size(mp3) > 0
                && !Files.exists(downloads.resolve("first-talk.mp3.crdownload")));
        assertThat(probe(mp3)).isEqualTo("mp3");

        driver.manage().window().setSize(new Dimension(1000, 730));
        screenshot("web-page.png");
        String token = (String) js("return sessionStorage.getItem('mp3conv.token');");
        assertThat(jobs(token)).extracting(j -> j.get("bitrate").asText()).containsExactly("192k", "192k");
        row("second-talk.mp4").findElement(By.xpath(".//button[normalize-space()='Delete']")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> rows().size() == 1);
        assertThat(jobs(token)).extracting(j -> j.get("filename").asText()).containsExactly("first-talk.mp4");

        driver.navigate().refresh();
        awaitState("first-talk.mp4", "Done");
        assertThat(rows()).hasSize(1);
        assertThat(driver.findElement(By.id("who")).getText()).startsWith("Signed in as ann@example.com");
        driver.manage().window().setSize(new Dimension(390, 844));
        assertThat((Long) js("return document.documentElement.scrollWidth;"))
                .as("no sideways scrolling on a phone-sized screen").isLessThanOrEqualTo(390L);
        screenshot("web-page-phone.png");

        driver.findElement(By.xpath("//button[normalize-space()='Sign out']")).click();
        assertThat(driver.findElement(By.id("sign-in-view")).isDisplayed()).isTrue();
        assertThat(js("return sessionStorage.getItem('mp3conv.token');")).isNull();
        assertThat(driver.manage().getCookies()).isEmpty();
        driver.navigate().refresh();
        assertThat(driver.findElement(By.id("sign-in-view")).isDisplayed()).isTrue();
        assertThat(driver.findElement(By.id("app-view")).isDisplayed()).isFalse();
        assertNoConsoleErrors();
    }

    @Test
    void theAudioOptionsGoWithTheUploadAndABadOneShowsItsReason() throws Exception {
        Path talk = video("options-talk.mp4", 440);
        open();
        createAccount("opts@example.com");
        driver.findElement(By.cssSelector("#audio-options summary")).click();
        new Select(driver.findElement(By.id("loudness"))).selectByVisibleText("Podcast (\u2212" + "16 LUFS)");
        new Select(driver.findElement(By.id("channels"))).selectByVisibleText("Mono");
        new Select(driver.findElement(By.id("sample-rate"))).selectByVisibleText("32 kHz");
        driver.findElement(By.id("start")).sendKeys("0.5");
        driver.findElement(By.id("end")).sendKeys("0:02.5");
        driver.findElement(By.id("title")).sendKeys("Vortrag \u00fcber M\u00e4rz");
        driver.findElement(By.id("artist")).sendKeys("Ann");
        driver.findElement(By.id("cover")).click();
        driver.findElement(By.id("files")).sendKeys(talk.toString());
        awaitState("options-talk.mp4", "Done");

        String token = (String) js("return sessionStorage.getItem('mp3conv.token');");
        JsonNode job = jobs(token).get(0);
        assertThat(job.get("loudness").asDouble()).isEqualTo(-16.0);
        assertThat(job.get("start").asDouble()).isEqualTo(0.5);
        assertThat(job.get("end").asDouble()).isEqualTo(2.5);
        assertThat(job.get("channels").asText()).isEqualTo("mono");
        assertThat(job.get("sample_rate").asInt()).isEqualTo(32000);
        assertThat(job.get("cover").asBoolean()).isTrue();
        assertThat(job.get("title").asText()).isEqualTo("Vortrag \u00fcber M\u00e4rz");
        assertThat(job.get("measured_loudness").get("output_lufs").asDouble()).isBetween(-17.0, -15.0);

        driver.findElement(By.id("start")).clear();
        driver.findElement(By.id("start")).sendKeys("1:75");
        driver.findElement(By.id("files")).sendKeys(video("bad-start.mp4", 550).toString());
        awaitState("bad-start.mp4", null);
        assertThat(stateOf("bad-start.mp4")).startsWith("Failed").contains("start must be seconds");
        assertThat(jobs(token)).extracting(j -> j.get("filename").asText()).containsExactly("options-talk.mp4");
        // Chromium logs the refused creation itself; nothing else may show
        driver.manage().logs().get(LogType.BROWSER).forEach(console::add);
        assertThat(console).filteredOn(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
                .extracting(LogEntry::getMessage).singleElement().asString()
                .endsWith("/api/v1/uploads - Failed to load resource: the server responded with a status of 400 (Bad Request)");
    }

    @Test
    void aHostileFileNameShowsAsTextAndInjectsNothing() throws Exception {
        String name = "<img src=x onerror=alert(1)>.mp4";
        Path hostile = Files.move(video("plain.mp4", 550), work.resolve(name));
        open();
        createAccount("mallory@example.com");
        driver.findElement(By.id("files")).sendKeys(hostile.toString());
        awaitState(name, "Done");

        WebElement row = row(name);
        assertThat(row.findElement(By.className("job-name")).getText()).isEqualTo(name);
        assertThat(row.findElement(By.linkText("Download")).getDomAttribute("download"))
                .isEqualTo("<img src=x onerror=alert(1)>.mp3");
        assertThat((Long) js("return document.querySelectorAll('img').length;")).isZero();
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        driver.navigate().refresh();
        awaitState(name, "Done");
        assertThat(row(name).findElement(By.className("job-name")).getText()).isEqualTo(name);
        assertThat((Long) js("return document.querySelectorAll('img').length;")).isZero();
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertNoConsoleErrors();
    }

    @Test
    void anUploadResumesAfterAReloadFromTheOffsetTheServerHolds() throws Exception {
        // random bytes: the upload is what counts here (the converter then fails it as not a video)
        byte[] bytes = GatewayClient.randomBytes(24 << 20, 5);
        Path big = Files.write(work.resolve("long-recording.mp4"), bytes);
        open();
        createAccount("resume@example.com");
        String token = (String) js("return sessionStorage.getItem('mp3conv.token');");
        // slow the browser's uploads to 4 MiB/s so the 8 MiB chunks take seconds each
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false, "latency", 0,
                "downloadThroughput", -1, "uploadThroughput", 4 << 20));
        driver.findElement(By.id("files")).sendKeys(big.toString());

        TusHttp tus = new TusHttp(server.port(), token);
        String[] id = new String[1];
        long[] offset = new long[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            List<JsonNode> jobs = jobs(token);
            if (jobs.size() != 1) {
                return false;
            }
            id[0] = jobs.getFirst().get("id").asText();
            offset[0] = tus.offset("/api/v1/uploads/" + id[0]);
            return offset[0] >= 8 << 20;
        });
        driver.navigate().refresh();
        driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false, "latency", 0,
                "downloadThroughput", -1, "uploadThroughput", -1));
        long held = tus.offset("/api/v1/uploads/" + id[0]);
        assertThat(held).isGreaterThanOrEqualTo(offset[0]).isLessThan(bytes.length);
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> stateOf("long-recording.mp4")
                .startsWith("Upload paused at "));

        driver.findElement(By.id("files")).sendKeys(big.toString());
        await().atMost(Duration.ofSeconds(60)).until(() -> !"UPLOADING".equals(jobs(token).getFirst().get("state").asText()));
        List<JsonNode> jobs = jobs(token);
        assertThat(jobs).as("the same upload continued; a restart would have created a second one").hasSize(1);
        JsonNode job = jobs.getFirst();
        assertThat(job.get("id").asText()).isEqualTo(id[0]);
        assertThat(job.get("size").asLong()).isEqualTo(bytes.length);
        assertThat(job.get("sha256").asText())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        assertThat(rows()).hasSize(1);
        awaitState("long-recording.mp4", null);
        assertThat(stateOf("long-recording.mp4")).startsWith("Failed: ");
    }

    @Test
    void earlierJobsArePagedNewestFirst() throws Exception {
        open();
        createAccount("paige@example.com");
        GatewayClient api = new GatewayClient(server.port(), (String) js("return sessionStorage.getItem('mp3conv.token');"));
        for (int i = 1; i <= 21; i++) {
            api.uploadJob(String.format("clip-%02d.mp4", i), GatewayClient.randomBytes(1000, i));
        }
        driver.navigate().refresh();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> rows().size() == 20);
        List<String> names = rows().stream().map(r -> r.findElement(By.className("job-name")).getText()).toList();
        assertThat(names).first().isEqualTo("clip-21.mp4");
        assertThat(names).last().isEqualTo("clip-02.mp4");
        WebElement more = driver.findElement(By.xpath("//button[normalize-space()='Show older files']"));
        assertThat(more.isDisplayed()).isTrue();
        more.click();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> rows().size() == 21);
        assertThat(rows().getLast().findElement(By.className("job-name")).getText()).isEqualTo("clip-01.mp4");
        assertThat(more.isDisplayed()).isFalse();
    }

    @Test
    void signInErrorsAreInlineAndAnEndedSessionAsksToSignInAgain() throws Exception {
        open();
        fill("pat@example.com", "short");
        driver.findElement(By.xpath("//button[normalize-space()='Create account']")).click();
        awaitError("The password is too short: use at least 10 characters.");

        fill("pat@example.com", PASSWORD);
        driver.findElement(By.xpath("//button[normalize-space()='Sign in']")).click();
        awaitError("Wrong email or password.");

        createAccount("pat@example.com");
        driver.findElement(By.xpath("//button[normalize-space()='Sign out']")).click();
        fill("pat@example.com", PASSWORD);
        driver.findElement(By.xpath("//button[normalize-space()='Create account']")).click();
        awaitError("An account with this email already exists. Sign in instead.");

        for (int i = 0; i < 5; i++) {
            fill("pat@example.com", "wrong password " + i);
            driver.findElement(By.xpath("//button[normalize-space()='Sign in']")).click();
            awaitError("Wrong email or password.");
            js("document.getElementById('sign-in-error').textContent = '';");
        }
        fill("pat@example.com", PASSWORD);
        driver.findElement(By.xpath("//button[normalize-space()='Sign in']")).click();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("sign-in-error")).getText()
                .matches("Too many attempts\\. Try again in \\d+ seconds\\."));

        // a token the server no longer accepts (expired, or revoked by a password change)
        js("sessionStorage.setItem('mp3conv.token', 'not-a-valid-token');");
        driver.navigate().refresh();
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("notice")).getText()
                .equals("Your session has expired or was ended. Please sign in again."));
        assertThat(driver.findElement(By.id("sign-in-view")).isDisplayed()).isTrue();
        assertThat(js("return sessionStorage.getItem('mp3conv.token');")).isNull();

        server.close();
        server = startServer(Map.of("auth.open-registration", "false"));
        open();
        fill("quinn@example.com", PASSWORD);
        driver.findElement(By.xpath("//button[normalize-space()='Create account']")).click();
        awaitError("Registration is closed. Ask the administrator for an account.");
    }

    @Test
    void anAccessibilityCheckerFindsNothingOnTheSignInFormOrTheListWithAnUploadUnderWay() throws Exception {
        String axe = axeCore();
        open();
        assertThat(accessibilityViolations(axe)).as("axe-core on the sign-in form").isEmpty();
        fill("", "");
        driver.findElement(By.xpath("//button[normalize-space()='Sign in']")).click();
        awaitError("Enter your email and password.");
        assertThat(driver.switchTo().activeElement().getDomAttribute("id")).as("focus moved to the empty field")
                .isEqualTo("email");

        createAccount("axel@example.com");
        Path done = video("short.mp4", 330);
        driver.findElement(By.id("files")).sendKeys(done.toString());
        awaitState("short.mp4", "Done");
        driver.executeCdpCommand("Network.enable", Map.of());
        driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", false, "latency", 0,
                "downloadThroughput", -1, "uploadThroughput", 1 << 20));
        Path slow = Files.write(work.resolve("slow.mp4"), GatewayClient.randomBytes(16 << 20, 3));
        driver.findElement(By.id("files")).sendKeys(slow.toString());
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> stateOf("slow.mp4").matches("Uploading [1-9]\\d* %"));
        WebElement bar = row("slow.mp4").findElement(By.cssSelector("[role=progressbar]"));
        assertThat(Integer.parseInt(bar.getDomAttribute("aria-valuenow"))).isBetween(1, 99);
        assertThat(bar.getDomAttribute("aria-label")).isEqualTo("Upload of slow.mp4");
        assertThat(driver.findElement(By.id("status")).getDomAttribute("role")).isEqualTo("status");
        assertThat(accessibilityViolations(axe)).as("axe-core on the list").isEmpty();
        screenshot("web-page-uploading.png");
    }

    // ---- the server, the browser, the page ------------------------------------------------------

    private Mp3convServer startServer(Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(Map.of(
                "app.roles", "auth,gateway,converter",
                "app.data-dir", dataDir.toString(),
                "server.host", "127.0.0.1",
                "server.port", "0",
                "admin.host", "127.0.0.1",
                "admin.port", "0",
                "converter.ffmpeg", FFMPEG,
                "converter.concurrency", "2"));
        config.putAll(extra);
        return Mp3convServer.start(Settings.load(Map.of(), config));
    }

    private ChromeDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1000,900");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver chrome = new ChromeDriver(service, options);
        chrome.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow",
                "downloadPath", downloads.toString()));
        return chrome;
    }

    private void open() {
        driver.get("http://127.0.0.1:" + server.port() + "/");
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("sign-in-view")).isDisplayed()
                || d.findElement(By.id("app-view")).isDisplayed());
    }

    private void fill(String email, String password) {
        WebElement emailField = driver.findElement(By.id("email"));
        emailField.clear();
        emailField.sendKeys(email);
        WebElement passwordField = driver.findElement(By.id("password"));
        passwordField.clear();
        passwordField.sendKeys(password);
    }

    private void createAccount(String email) {
        fill(email, PASSWORD);
        driver.findElement(By.xpath("//button[normalize-space()='Create account']")).click();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> d.findElement(By.id("app-view")).isDisplayed());
    }

    private void awaitError(String text) {
        new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("sign-in-error")).getText()
                .equals(text));
    }

    private List<WebElement> rows() {
        return driver.findElements(By.cssSelector("#jobs > li.job"));
    }

    private WebElement row(String name) {
        return rows().stream().filter(r -> r.findElement(By.className("job-name")).getText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no row for " + name));
    }

    private String stateOf(String name) {
        return rows().stream().filter(r -> r.findElement(By.className("job-name")).getText().equals(name))
                .map(r -> r.findElement(By.className("job-state")).getText()).findFirst().orElse("");
    }

    /** Waits for the row's state text; {@code null} waits for any end (Done or Failed). */
    private void awaitState(String name, String state) {
        new WebDriverWait(driver, Duration.ofSeconds(90)).until(d -> {
            String now = stateOf(name);
            return state == null ? now.equals("Done") || now.startsWith("Failed") : now.equals(state);
        });
    }

    /** Records every state text the rows show, to see the steps a fast conversion passes through. */
    private void recordStates() {
        js("window.statesSeen = []; new MutationObserver(() => { for (const s of document.querySelectorAll('.job-state')) {"
                + " const t = s.textContent.replace(/ \\d+ %$/, ''); if (window.statesSeen[window.statesSeen.length - 1] !== t)"
                + " window.statesSeen.push(t); } }).observe(document.getElementById('jobs'),"
                + " {subtree: true, childList: true, characterData: true});");
    }

    private long firstLoadBytes() {
        Object total = js("return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
                + ".reduce((sum, e) => sum + e.transferSize, 0);");
        long bytes = ((Number) total).longValue();
        System.out.println("web page: first load transferred " + bytes + " bytes");
        assertThat(bytes).as("Chromium reports transfer sizes").isPositive();
        return bytes;
    }

    private Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", name), driver.getScreenshotAs(OutputType.BYTES));
    }

    private void assertNoConsoleErrors() {
        driver.manage().logs().get(LogType.BROWSER).forEach(console::add);
        assertThat(console).as("console messages").filteredOn(e -> e.getLevel().intValue() >= Level.WARNING.intValue())
                .isEmpty();
    }

    /** The WCAG 2.1 A/AA and best-practice rules axe-core finds broken, one line each. */
    private List<String> accessibilityViolations(String axe) {
        // executeScript runs through DevTools, so the page's CSP does not keep the checker out
        js(axe);
        Object result = ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + " axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
                + ".then(r => done({passes: r.passes.length, violations: r.violations.map(v => v.id + ': '"
                + " + v.nodes.map(n => n.target.join(' ')).join(', '))}))"
                + ".catch(e => done({passes: 0, violations: ['axe failed: ' + e]}));");
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) result;
        @SuppressWarnings("unchecked")
        List<String> violations = (List<String>) report.get("violations");
        assertThat(((Number) report.get("passes")).intValue()).as("rules axe-core checked and found kept: " + violations)
                .isGreaterThan(10);
        return violations;
    }

    /** axe-core from npm at a pinned version, installed into {@code target/node-axe} (npm on PATH). */
    private static String axeCore() throws IOException, InterruptedException {
        Path script = NODE_DIR.resolve("node_modules").resolve("axe-core").resolve("axe.min.js");
        if (!Files.isRegularFile(script)) {
            boolean npm = new ProcessBuilder("npm", "--version").redirectErrorStream(true).start().waitFor() == 0;
            if (System.getenv("CI") == null) {
                assumeThat(npm).as("npm on PATH to install " + AXE_CORE + " (skipped: CI is unset)").isTrue();
            }
            Process install = new ProcessBuilder("npm", "install", "--prefix", NODE_DIR.toString(), "--no-audit",
                    "--no-fund", "--no-save", AXE_CORE).redirectErrorStream(true).start();
            String out = new String(install.getInputStream().readAllBytes());
            assertThat(install.waitFor(300, TimeUnit.SECONDS)).isTrue();
            assertThat(install.exitValue()).as("npm install " + AXE_CORE + ": " + out).isZero();
        }
        return Files.readString(script);
    }

    // ---- the server side ------------------------------------------------------------------------

    private List<JsonNode> jobs(String token) throws IOException, InterruptedException {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/api/v1/jobs")).header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        Json.mapper().readTree(res.body()).get("items").forEach(items::add);
        return items;
    }

    /** A small H.264/AAC MP4 with a sine tone, made with ffmpeg. */
    private Path video(String name, int frequency) throws IOException, InterruptedException {
        Path file = work.resolve(name);
        Process ffmpeg = new ProcessBuilder(FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i",
                "sine=frequency=" + frequency + ":sample_rate=44100:duration=3", "-f", "lavfi", "-i",
                "testsrc=size=160x120:rate=10:duration=3", "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast",
                "-c:a", "aac", "-shortest", "-movflags", "+faststart", file.toString()).redirectErrorStream(true).start();
        String out = new String(ffmpeg.getInputStream().readAllBytes());
        assertThat(ffmpeg.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(ffmpeg.exitValue()).as("ffmpeg: " + out).isZero();
        return file;
    }

    /** The codec of the file's first audio stream, as ffprobe reads it. */
    private static String probe(Path file) throws IOException, InterruptedException {
        Process ffprobe = new ProcessBuilder(FFPROBE, "-v", "error", "-select_streams", "a:0", "-show_entries",
                "stream=codec_name", "-of", "default=noprint_wrappers=1:nokey=1", file.toString()).start();
        String out = new String(ffprobe.getInputStream().readAllBytes()).strip();
        assertThat(ffprobe.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ffprobe.exitValue()).isZero();
        return out;
    }
}
