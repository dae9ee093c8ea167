using System.Text.Json.Nodes;
using Cpe.IntegrationTests.VendorServer;
using Cpe.TestKit;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Fleet;

/// <summary>
/// The fleet web UI in a real browser (Debian's chromium driven by Playwright for .NET): an operator signs in, finds
/// devices, creates a phased deployment to simulated devices, watches it halt on a failure, resumes it and reads the
/// audit log. A screenshot of each page is saved under out/screenshots/fleet-ui/.
/// </summary>
[Trait("Kind", "Browser")]
public sealed class FleetUiTests(ITestOutputHelper output) : VendorServerTest
{
    static readonly string Shots = Path.Combine(Binaries.RepositoryRoot, "out", "screenshots", "fleet-ui");
    const string Chromium = "/usr/bin/chromium";

    async Task<SimulatedDevice[]> EnrollAsync(int count)
    {
        using var admin = Server.Client(Server.AdminUrl, token: Server.Token);
        var devices = new List<SimulatedDevice>();
        for (int i = 1; i <= count; i++)
        {
            string serial = $"UI-{i:000}";
            var body = new JsonObject
            {
                ["conveyedInformation"] = Convert.ToBase64String(File.ReadAllBytes(Server.Dir["unsigned.cms"])),
                ["group"] = "stores", ["site"] = i <= 3 ? "north" : "south",
            };
            var answer = await admin.PutAsync($"/api/v1/devices/{serial}", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
            devices.Add(new SimulatedDevice(serial, Server.Device(serial), Server.Owner));
        }
        return [.. devices];
    }

    static async Task CheckInAll(IEnumerable<SimulatedDevice> devices, string url)
    {
        foreach (var d in devices) await d.CheckInAsync(url);
    }

    async Task Shot(IPage page, string name)
    {
        Directory.CreateDirectory(Shots);
        string path = Path.Combine(Shots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }

    [Fact]
    public async Task An_operator_creates_a_phased_deployment_watches_it_halt_on_a_failure_resumes_it_and_reads_the_audit_log()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is needed (./build.sh test installs it)");
        var devices = await EnrollAsync(6);
        devices[1].RefuseConfiguration = true;
        await CheckInAll(devices, Server.Url);   // each has checked in once: versions and slots to show

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"],
        });
        // The admin port's certificate is from the test's own CA, which this browser profile does not know.
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        // Script errors and what the Content-Security-Policy refused show as console errors; failed requests are listed by URL.
        var errors = new List<string>();
        var refused = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);
        page.Response += (_, r) => { if (r.Status >= 400) refused.Add($"{r.Status} {new Uri(r.Url).AbsolutePath}"); };

        // Sign in: a wrong token is refused, the right one opens the dashboard.
        await page.GotoAsync(Server.AdminUrl + "/");
        await page.Locator("#token").FillAsync("not-a-token");
        await page.Locator("form.signin button").ClickAsync();
        await Assertions.Expect(page.Locator("form.signin .error")).ToContainTextAsync("valid admin token");
        await Shot(page, "1-sign-in");
        await page.Locator("#token").FillAsync(Server.Token);
        await page.Locator("form.signin button").ClickAsync();
        await Assertions.Expect(page.Locator("#who")).ToContainTextAsync("test (administrator)");
        await Assertions.Expect(page.Locator("#device-cards")).ToContainTextAsync("enrolled");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("1.0.0");   // the firmware version the devices reported
        await Shot(page, "2-dashboard");

        // The device list: search by serial prefix, then a device's page.
        await page.Locator("#nav a[href='#/devices']").ClickAsync();
        await page.Locator("input[name=q]").FillAsync("UI-00");
        await page.Locator("input[name=site]").FillAsync("north");
        await page.Locator("form.filters button").ClickAsync();
        await Assertions.Expect(page.Locator("main tbody tr")).ToHaveCountAsync(3);
        await Shot(page, "3-devices");
        await page.Locator("main tbody a", new() { HasText = "UI-002" }).ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync("UI-002");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("booted (good)");
        await Shot(page, "4-device");

        // A phased deployment: two devices first, then the rest; one failure halts it and rolls the phase back.
        await page.Locator("#nav a[href='#/deployments']").ClickAsync();
        await page.Locator("text=New deployment").ClickAsync();
        await page.Locator("#d-name").FillAsync("store-names");
        await page.Locator("#d-configuration").FillAsync("""{"schema-version": 1, "system": {"host-name": "store"}}""");
        await page.Locator("#d-group").FillAsync("stores");
        await page.Locator("#d-phases").FillAsync("2:0, 100%:0");
        await page.Locator("#d-threshold-count").FillAsync("1");
        await page.Locator("#d-rollback").CheckAsync();
        await Shot(page, "5-new-deployment");
        await page.Locator("#create").ClickAsync();
        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync("store-names");
        await Assertions.Expect(page.Locator("main h1 .state")).ToHaveTextAsync("running");

        // The devices check in (UI-001 and UI-002 take phase 1; UI-002 refuses the configuration); the page follows live.
        for (int round = 0; round < 3; round++) await CheckInAll(devices[..2], Server.Url);
        await Assertions.Expect(page.Locator("main h1 .state")).ToHaveTextAsync("halted", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#reason")).ToContainTextAsync("phase 1: 1 device(s) failed (threshold 1)");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("rolled back after: fleet revision");
        await Shot(page, "6-deployment-halted");

        // Resume: the failures so far are accepted; once phase 1 has gone back, phase 2 takes the rest.
        await page.Locator("#resume").ClickAsync();
        await Assertions.Expect(page.Locator("main h1 .state")).ToHaveTextAsync("running");
        // The boxes check in (every half second here) until it completes: phase 1's boxes confirm their restore, the gate
        // promotes phase 2, its boxes take the configuration and confirm it.
        for (int round = 0; round < 60 && await page.Locator("main h1 .state").TextContentAsync() != "completed"; round++)
        {
            await CheckInAll(devices, Server.Url);
            await Task.Delay(500);
        }
        await Assertions.Expect(page.Locator("main h1 .state")).ToHaveTextAsync("completed");
        await Assertions.Expect(page.Locator("main tbody [data-state=succeeded]")).ToHaveCountAsync(4);
        await Shot(page, "7-deployment-completed");
        // The devices by state (a page at a time): only the four that succeeded.
        await page.Locator("#device-state").SelectOptionAsync("succeeded");
        await Assertions.Expect(page.Locator("main table").Last.Locator("tbody tr")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("main table").Last.Locator("tbody [data-state]:not([data-state=succeeded])")).ToHaveCountAsync(0);

        // The audit log: who created and resumed it.
        await page.Locator("#nav a[href='#/audit']").ClickAsync();
        await Assertions.Expect(page.Locator("main tbody tr").First).ToContainTextAsync("resume");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("deploy");
        await Shot(page, "8-audit-log");
        Assert.Empty(errors);   // no script error, nothing the Content-Security-Policy blocked
        // The only refused requests: the wrong token, and the inventory a simulated device never sent (the page says "none").
        Assert.Equal(["401 /api/v1/whoami", "404 /api/v1/devices/UI-002/inventory"], refused);
    }
}
