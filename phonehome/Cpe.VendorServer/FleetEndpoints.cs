using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Cpe.Sztp;
using Cpe.VendorServer.Deployments;
using Cpe.VendorServer.Storage;

namespace Cpe.VendorServer;

/// <summary>
/// What devices call after bootstrap, on the mTLS port: the fleet check-in (docs/reference/fleet-checkin.md) and boot
/// image downloads with HTTP Range, each download logged with the Range it asked for.
/// </summary>
public static class FleetEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ServerStore store, FleetSnapshot snapshot, CheckInRecorder recorder, DeploymentEngine deployments,
        FleetSigner? signer, string imageFolder, int checkInSeconds, TimeProvider clock)
    {
        app.MapPost(FleetCheckIn.Path, async (HttpContext http) =>
        {
            if (signer is null) return Results.Problem("this server has no signing certificate for check-in answers (--signing-cert)", statusCode: 503);
            // Bounded: the inventory a box reports is a few kilobytes; a body past the limit is refused, not stored.
            var (request, problem) = await DeviceBodyAsync(http, snapshot, MaxCheckInBytes, "a check-in request", b => FleetCheckIn.ParseRequest(b), r => r.SerialNumber);
            if (request is null) return problem!;
            string serial = request.SerialNumber;
            var (device, config) = snapshot.CheckInView(serial)!.Value;
            var now = clock.GetUtcNow();
            await recorder.RecordAsync(new CheckInEntry(now, serial, request.OsVersion, request.ConfigRevision, request.FleetRevision, request.LastResult)
            {
                Inventory = request.Inventory?.ToJsonString(),
                Refused = request.LastRefused is { } refused ? FleetCheckIn.ToJson(refused) : null,
                FirmwareFailure = request.FirmwareFailure is { } failed ? FleetCheckIn.ToJson(failed) : null,
                LocalOverride = request.LocalOverride is { } overridden ? FleetCheckIn.ToJson(overridden) : null,
                Software = request.Software is { } software ? FleetCheckIn.ToJson(software) : null,
                Vnfs = request.Vnfs is { } vnfs ? FleetCheckIn.ToJson(vnfs) : null,
                VnfFailures = request.VnfFailures is { Length: > 0 } vnfFailures ? FleetCheckIn.ToJson(vnfFailures) : null,
                Model = request.Model,
                Alarms = string.Join('\n', request.Alarms),
            }, http.RequestAborted);
            // What the owner wants: the device's (or its group's) fleet configuration, under what its deployments want.
            var desire = deployments.CheckIn(serial, device, request, now);
            var image = desire.Firmware ?? (config?.Firmware is string name ? snapshot.Current.Images.GetValueOrDefault(name) ?? store.Image(name) : null);
            var firmware = image is null ? null
                : new DesiredFirmware(image.OsName, image.OsVersion, [$"{http.Request.Scheme}://{http.Request.Host}/images/{Uri.EscapeDataString(image.Name)}"], image.Sha256);
            var configuration = config is null ? null : new DesiredConfiguration(config.Revision, config.Handling, (JsonObject)JsonNode.Parse(config.Document)!);
            // Revisions are one fleet-wide sequence: the newer of the two is what the device should run.
            if (desire.Configuration is { } wanted && (configuration is null || wanted.Revision > configuration.Revision)) configuration = wanted;
            var answer = new CheckInAnswer(serial, request.Nonce, now, checkInSeconds, configuration, firmware,
                Vnfs(config?.Vnfs, desire.Vnfs, snapshot.Current, $"{http.Request.Scheme}://{http.Request.Host}"));
            return Results.Bytes(signer.Sign(FleetCheckIn.ToJson(answer)), "application/cms");
        });

        app.MapPost(FleetCheckIn.InstallPath, async (HttpContext http) =>
        {
            var (report, problem) = await DeviceBodyAsync(http, snapshot, FleetCheckIn.MaxInstallReportBytes, "an install report", b => FleetCheckIn.ParseInstallReport(b), r => r.SerialNumber);
            if (report is null) return problem!;
            deployments.InstallReported(report.SerialNumber, report, clock.GetUtcNow());
            return Results.NoContent();
        });

        app.MapGet("/images/{name}", (HttpContext http, string name) =>
            ServeAsync(http, store, clock, name, () => store.Image(name) is not null ? Path.Combine(imageFolder, name) : null));
        app.MapGet("/vnf-packages/{name}/{version}", (HttpContext http, string name, string version) =>
            ServeAsync(http, store, clock, $"vnf:{name}:{version}",
                () => store.VnfPackage(name, version) is { } p ? VnfPackageEndpoints.FileOf(imageFolder, p) : null));
    }

    /// <summary>
    /// A download for an enrolled device (its IDevID), with HTTP Range; each one logged under <paramref name="logName"/>
    /// with the Range it asked for, a refused one too.
    /// </summary>
    static async Task ServeAsync(HttpContext http, ServerStore store, TimeProvider clock, string logName, Func<string?> file)
    {
        string? serial = await BootstrapEndpoints.DeviceSerialAsync(http);
        if (serial is null) { http.Response.StatusCode = 401; return; }
        string? range = http.Request.Headers.Range.Count > 0 ? http.Request.Headers.Range.ToString() : null;
        try
        {
            if (!BootstrapEndpoints.IsEnrolled(store, serial) || file() is not string path || !File.Exists(path)) { http.Response.StatusCode = 404; return; }
            // RFC 9110 §14.2: a Range in a unit the server does not know is ignored, and the whole body sent with 200.
            if (range is not null && !range.TrimStart().StartsWith("bytes=", StringComparison.OrdinalIgnoreCase)) http.Request.Headers.Remove("Range");
            await Results.File(path, "application/octet-stream", enableRangeProcessing: true).ExecuteAsync(http);
        }
        finally
        {
            store.AddDownload(new DownloadEntry(clock.GetUtcNow(), serial, logName, range, http.Response.StatusCode));
        }
    }

    /// <summary>The largest check-in request (docs/reference/fleet-checkin.md).</summary>
    public const int MaxCheckInBytes = 256 * 1024;

    /// <summary>
    /// A device's body, checked in the same order for each device call: an IDevID (401), at most <paramref name="max"/>
    /// bytes (413), the format (400), naming the device the certificate names (403), an enrolled device (404).
    /// </summary>
    static async Task<(T? Body, IResult? Problem)> DeviceBodyAsync<T>(HttpContext http, FleetSnapshot snapshot, int max, string what,
        Func<byte[], T> parse, Func<T, string> serialOf) where T : class
    {
        string? serial = await BootstrapEndpoints.DeviceSerialAsync(http);
        if (serial is null) return (null, Results.Problem("a device IDevID client certificate is required", statusCode: 401));
        if (await BoundedBody.ReadAsync(http, max) is not byte[] bytes) return (null, Results.Problem($"{what} may be at most {max} bytes", statusCode: 413));
        T body;
        try { body = parse(bytes); }
        catch (SztpVerificationException e) { return (null, Results.Problem(e.Message, statusCode: 400)); }
        if (serialOf(body) != serial) return (null, Results.Problem($"the body names {serialOf(body)} but the certificate {serial}", statusCode: 403));
        if (snapshot.CheckInView(serial) is not var (device, _) || device.State == "revoked")
            return (null, Results.Problem($"serial number {serial} is not an enrolled device", statusCode: 404));
        return (body, null);
    }

    /// <summary>
    /// The VNF package versions the device is told: its fleet configuration's, under what its deployments want (by package
    /// name), each with where to download it and its SHA-256. A package no longer in the repository is left out.
    /// </summary>
    static DesiredVnf[] Vnfs(string? pushed, IReadOnlyList<VnfVersion> deployed, FleetSnapshot.View view, string origin)
    {
        if (pushed is null && deployed.Count == 0) return [];
        var wanted = new Dictionary<string, VnfVersion>(StringComparer.Ordinal);
        foreach (var v in pushed is null ? [] : JsonNode.Parse(pushed)!.AsArray())
            wanted[v!["name"]!.GetValue<string>()] = new VnfVersion(v["name"]!.GetValue<string>(), v["version"]!.GetValue<string>());
        foreach (var v in deployed) wanted[v.Name] = v;
        return [.. wanted.Values.Where(v => view.VnfPackages.ContainsKey(v.Reference)).Select(v =>
            new DesiredVnf(v.Name, v.Version) { DownloadUris = [origin + VnfPackageEndpoints.DevicePath(v.Name, v.Version)], Sha256 = view.VnfPackages[v.Reference].Sha256 })];
    }
}

/// <summary>The owner's signing certificate and key: check-in answers (one signature per request) and published bundles are signed with them.</summary>
public sealed class FleetSigner(X509Certificate2 certificate)
{
    readonly CmsSigningKey _key = new(certificate);
    public X509Certificate2 Certificate => certificate;
    public byte[] Sign(byte[] content, string contentType = SztpOids.Data) => _key.Sign(content, contentType);
    public byte[] OwnerCertificate() => Cms.CertificatesOnly(certificate);
}
