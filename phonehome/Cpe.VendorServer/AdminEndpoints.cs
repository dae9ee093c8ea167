using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Cpe.Sztp;
using Cpe.VendorServer.Storage;

namespace Cpe.VendorServer;

/// <summary>
/// The admin REST API (docs/reference/vendor-admin-api.md) on its own port, for the vendor's and owners' operators:
/// devices, onboarding bundles, firmware images, fleet configurations, progress and check-in history. Every call
/// needs "Authorization: Bearer TOKEN" with a token made by "cpe-vendor-server token"; the server keeps only its hash.
/// </summary>
public static class AdminEndpoints
{
    public const string Prefix = "/api/v1";

    public static void Map(IEndpointRouteBuilder app, ServerStore store, FleetSnapshot snapshot, FleetSigner? signer, X509Certificate2 vendorCa, string imageFolder,
        long maxImageBytes, string publicUrl, int checkInSeconds, TimeProvider clock)
    {
        var api = app.MapGroup(Prefix).RequireRole(AdminAccess.Viewer);
        api.MapGet("/devices", (string? group, string? state, string? site, string? version, string? q, string? after, int? limit) =>
            store.DeviceSummaries(new DeviceFilter(group, state, site, version, string.IsNullOrEmpty(q) ? null : q), after, Math.Clamp(limit ?? 1000, 1, 10000))
                .Select(d => View(d.Device) with
                {
                    Onboarding = d.LastProgress,
                    OnboardingAt = d.LastProgressAt,
                    LastCheckIn = d.LastCheckIn is { } c ? View(c) : null,
                    Alarms = d.Alarms?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [],
                }).ToArray());
        api.MapGet("/devices/{serial}", (string serial) => store.Find(serial) is Enrollment e ? Results.Ok(View(e)) : NotFound($"device {serial}"));
        api.MapPut("/devices/{serial}", (HttpContext http, string serial, DeviceEnrollRequest r) =>
        {
            byte[]? conveyed = r.ConveyedInformation, owner = r.OwnerCertificate;
            if (r.Bundle is string name)
            {
                if (store.FindBundle(name) is not Bundle b) return NotFound($"bundle {name}");
                (conveyed, owner) = (b.ConveyedInformation, b.OwnerCertificate);
            }
            if (conveyed is null) return Invalid("give either bundle or conveyedInformation");
            if (r.State is not (null or "enrolled" or "revoked")) return Invalid("state must be enrolled or revoked");
            if (r.Site is not null && AdminInput.NameProblem(r.Site, "site") is string badSite) return Invalid(badSite);
            if (r.Labels is { Length: > 32 } || r.Labels?.Any(l => Deployments.DeploymentCheck.LabelProblem(l) is not null) == true)
                return Invalid("labels lists up to 32 labels, each 1 to 64 letters, digits, '.', '_', '-', ':' or '='");
            if (EnrollmentCheck.Problem(serial, conveyed, owner, r.OwnershipVoucher, vendorCa, clock.GetUtcNow()) is string problem) return Invalid(problem);
            var previous = store.Find(serial);
            store.Enroll(new Enrollment(serial, conveyed, owner, r.OwnershipVoucher, previous?.EnrolledAt ?? clock.GetUtcNow(), r.Owner, r.Group, r.State ?? "enrolled")
            { Site = r.Site, Labels = r.Labels ?? [] });
            snapshot.Refresh();
            if (r.State == "revoked") http.Items[AdminAccess.ActionItem] = "revoke";
            http.Items[AdminAccess.DetailItem] = $"{(previous is null ? "enrolled" : "updated")}, state {r.State ?? "enrolled"}, group {r.Group}, site {r.Site}";
            return Results.Ok(View(store.Find(serial)!));
        }).RequireRole(AdminAccess.Administrator).Audit("enrol");
        api.MapDelete("/devices/{serial}", (string serial) =>
        {
            bool removed = store.Remove(serial);
            snapshot.Forget(serial);
            return removed ? Results.NoContent() : NotFound($"device {serial}");
        }).RequireRole(AdminAccess.Administrator).Audit("remove");
        api.MapGet("/devices/{serial}/progress", (string serial) =>
            store.Progress(serial).Select(p => new ProgressView(p.Time, p.ProgressType, p.Message)).ToArray());
        api.MapGet("/devices/{serial}/inventory", (string serial) =>
            store.Inventory(serial) is string json ? Results.Text(json, "application/json") : NotFound($"an inventory from device {serial}"));
        api.MapGet("/devices/{serial}/check-ins", (string serial, int? limit) =>
            store.CheckIns(serial, Math.Clamp(limit ?? 100, 1, 1000)).Select(View).ToArray());

        api.MapPost("/bundles", (BundleRequest r) =>
        {
            if (signer is null) return Results.Problem("this server has no owner signing certificate (--signing-cert)", statusCode: 503);
            if (AdminInput.NameProblem(r.Name, "bundle") is string badName) return Invalid(badName);
            if (r.ConfigurationHandling is not (null or "merge" or "replace")) return Invalid("configurationHandling must be merge or replace");
            if (r.Configuration is not null && AdminInput.ConfigurationProblem(r.Configuration) is string badConfig) return Invalid(badConfig);
            // Published bundles are what devices were enrolled with: a name is never reused for other content.
            if (store.FindBundle(r.Name) is not null) return Results.Problem($"bundle {r.Name} is already published; publish the change under a new name", statusCode: 409);
            BootImage? boot = null;
            if (r.BootImage is string imageName)
            {
                if (store.Image(imageName) is not FirmwareImage image) return NotFound($"image {imageName}");
                boot = new BootImage(image.OsName, image.OsVersion, [$"{publicUrl.TrimEnd('/')}/images/{Uri.EscapeDataString(image.Name)}"],
                    [new ImageHash("sha-256", Convert.FromHexString(image.Sha256))]);
            }
            byte[]? Text(string? s) => s is null ? null : Encoding.UTF8.GetBytes(s);
            var onboarding = new ConveyedInformation.Onboarding(boot, r.Configuration is null ? null : r.ConfigurationHandling ?? "merge",
                Text(r.PreConfigurationScript), r.Configuration is null ? null : Encoding.UTF8.GetBytes(r.Configuration.ToJsonString()), Text(r.PostConfigurationScript));
            var signed = signer.Sign(onboarding.ToJson(), SztpOids.ConveyedInfoJson);
            var bundle = new Bundle(r.Name, signed, signer.OwnerCertificate(), clock.GetUtcNow());
            store.AddBundle(bundle);
            return Results.Ok(View(bundle));
        }).RequireRole(AdminAccess.Administrator).Audit("publish");

        api.MapPut("/images/{name}", async (HttpContext http, string name, string osName, string osVersion) =>
        {
            if (AdminInput.NameProblem(name, "image") is string badName) return Invalid(badName);
            if (AdminInput.NameProblem(osName, "osName") is string badOs) return Invalid(badOs);
            if (AdminInput.NameProblem(osVersion, "osVersion") is string badVersion) return Invalid(badVersion);
            var upload = await ImageUpload.ReceiveAsync(http, imageFolder, name, maxImageBytes);
            if (upload.Refusal is not null) return upload.Refusal;
            var image = new FirmwareImage(name, osName, osVersion, upload.Sha256, upload.Size, clock.GetUtcNow());
            store.AddImage(image);
            snapshot.Refresh();
            return Results.Ok(View(image));
        }).RequireRole(AdminAccess.Administrator).Audit("publish");
        api.MapGet("/images", () => store.Images().Select(View).ToArray());
        api.MapGet("/images/{name}/downloads", (string name) =>
            store.Downloads(name).Select(d => new DownloadView(d.Time, d.Serial, d.Range, d.Status)).ToArray());

        api.MapGet("/bundles", () => store.Bundles().Select(View).ToArray());
        api.MapGet("/fleet", () => store.FleetConfigs().Values.OrderBy(c => c.Target, StringComparer.Ordinal).Select(Pushed).ToArray());
        api.MapGet("/fleet/{target}", (string target) => store.FleetConfig(target) is { } c ? Results.Ok(Pushed(c)) : NotFound($"fleet configuration for {target}"));
        api.MapPut("/fleet/{target}", (string target, FleetConfigRequest r) =>
        {
            if (!(target.StartsWith("serial:", StringComparison.Ordinal) || target.StartsWith("group:", StringComparison.Ordinal)))
                return Invalid("the target is serial:SERIAL or group:GROUP");
            if (r.Handling is not (null or "merge" or "replace")) return Invalid("handling must be merge or replace");
            if (r.Configuration is null) return Invalid("configuration is required (cped's configuration document)");
            if (AdminInput.ConfigurationProblem(r.Configuration) is string badConfig) return Invalid(badConfig);
            if (r.Vnfs is not null && AdminInput.VnfsProblem(r.Vnfs) is string badVnfs) return Invalid(badVnfs);
            if (r.Vnfs is not null && VnfPackageEndpoints.Missing(store, r.Vnfs.Select(v => (v!["name"]!.GetValue<string>(), v["version"]!.GetValue<string>()))) is { } missing)
                return missing;
            if (r.Firmware is string f && store.Image(f) is null) return NotFound($"image {f}");
            var config = store.SetFleetConfig(target, r.Handling ?? "merge", r.Configuration.ToJsonString(), r.Firmware, r.Vnfs?.ToJsonString(), clock.GetUtcNow());
            snapshot.Refresh();
            return Results.Ok(new FleetConfigView(config.Target, config.Revision, config.Handling, config.UpdatedAt));
        }).RequireRole(AdminAccess.Operator).Audit("push");
        AdminSettingsEndpoints.Map(api, store, snapshot, clock);
        UiEndpoints.Map(app, api, store, checkInSeconds, clock);
        EnrolmentEndpoints.Map(api, store, snapshot, vendorCa, clock);
        DeploymentEndpoints.Map(api, store, snapshot, clock);
    }

    static FleetConfigView Pushed(FleetConfig c) => new(c.Target, c.Revision, c.Handling, c.UpdatedAt)
    {
        Configuration = JsonNode.Parse(c.Document) as JsonObject,
        Firmware = c.Firmware,
        Vnfs = c.Vnfs is null ? null : JsonNode.Parse(c.Vnfs),
    };

    static DeviceView View(Enrollment e) => new(e.Serial, e.Owner, e.Group, e.State, e.OwnershipVoucher is not null, e.EnrolledAt, e.LastSeen)
    { Site = e.Site, Labels = e.Labels };
    static ImageView View(FirmwareImage i) => new(i.Name, i.OsName, i.OsVersion, i.Sha256, i.Size, i.UploadedAt);
    static BundleView View(Bundle b) => new(b.Name, b.ConveyedInformation.Length, Convert.ToHexStringLower(SHA256.HashData(b.ConveyedInformation)), b.PublishedAt);

    /// <summary>A check-in as stored; what it reported as JSON (refusal, fallback, override) is absent where it was not read.</summary>
    static CheckInView View(CheckInEntry c) =>
        new(c.Time, c.OsVersion, c.ConfigRevision, c.FleetRevision, c.LastResult, Json(c.Refused), Json(c.FirmwareFailure), Json(c.LocalOverride)) { Software = Json(c.Software), Vnfs = Json(c.Vnfs), VnfFailures = c.VnfFailures is null ? null : JsonNode.Parse(c.VnfFailures)?.AsArray() };
    internal static IResult NotFound(string what) => Results.Problem($"no {what}", statusCode: 404);

    /// <summary>A JSON object the server stored as text (what a check-in reported), or null.</summary>
    static JsonObject? Json(string? text) => text is null ? null : JsonNode.Parse(text) as JsonObject;
    internal static IResult Invalid(string why) => Results.Problem(why, statusCode: 400);
}

/// <summary>Admin tokens: 32 random bytes shown once; only their SHA-256 is stored.</summary>
public static class Tokens
{
    public static string Create() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
