using Cpe.Signing;
using System.Security.Cryptography.X509Certificates;
using Cpe.Sztp;
using Cpe.VendorServer.Storage;

namespace Cpe.VendorServer;

/// <summary>
/// RFC 8572 §7's two RESTCONF operations. The device is the serial number in its client certificate,
/// which Kestrel has already chained to the vendor CA: a device can only ever get its own data.
/// </summary>
public static class BootstrapEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ServerStore store, TimeProvider clock, WireRecorder wire)
    {
        RestconfProtocol.MapDiscovery(app);
        app.MapPost(Restconf.GetBootstrappingData, async (HttpContext http) =>
        {
            var (serial, body, refusal) = await ReadAsync(http, store);
            if (refusal is not null) return refusal;
            wire.Record("get-bootstrapping-data", "request", body);
            BootstrappingRequest request;
            try { request = BootstrappingRequest.Parse(body); }
            catch (RestconfException e) { return Error(400, e); }
            var device = store.Find(serial!)!;   // ReadAsync refused any device that is not enrolled
            var (type, content) = Cms.ReadContentInfo(device.ConveyedInformation, "conveyed information");
            if (request.SignedDataPreferred && type != SztpOids.SignedData && ConveyedInformation.Parse(content) is ConveyedInformation.Onboarding)
                return Error(400, new RestconfException("invalid-value", "/ietf-sztp-bootstrap-server:get-bootstrapping-data/signed-data-preferred", "only unsigned onboarding information is enrolled for this device"));
            var reply = new BootstrappingReply(device.ConveyedInformation, device.OwnerCertificate, device.OwnershipVoucher, "verbose");
            var answer = reply.ToJson();
            wire.Record("get-bootstrapping-data", "reply", answer);
            return RestconfProtocol.Output(answer);
        });

        app.MapPost(Restconf.ReportProgress, async (HttpContext http) =>
        {
            var (serial, body, refusal) = await ReadAsync(http, store);
            if (refusal is not null) return refusal;
            wire.Record("report-progress", "request", body);
            ProgressReport report;
            try { report = ProgressReport.Parse(body); }
            catch (RestconfException e) { return Error(400, e); }
            store.AddProgress(new ProgressEntry(clock.GetUtcNow(), serial!, report.ProgressType, report.Message));
            return RestconfProtocol.Output(null);
        });
    }

    /// <summary>The caller's serial number and the body, or the answer that refuses them: a device must be enrolled, and not revoked.</summary>
    static async Task<(string? Serial, byte[] Body, IResult? Refusal)> ReadAsync(HttpContext http, ServerStore store)
    {
        string? serial = await DeviceSerialAsync(http);
        if (serial is null) return (null, [], Error(401, new RestconfException("access-denied", null, "a device IDevID client certificate is required")));
        if (!IsEnrolled(store, serial)) return (serial, [], Error(404, new RestconfException("invalid-value", null, $"serial number {serial} is not an enrolled device")));
        var (body, refusal) = await RestconfProtocol.ReadInputAsync(http);
        return (serial, body, refusal);
    }

    static IResult Error(int status, RestconfException e) => RestconfProtocol.Error(status, e);

    /// <summary>The serial number in the caller's IDevID (Kestrel has already chained it to the vendor CA); null without one.</summary>
    public static async Task<string?> DeviceSerialAsync(HttpContext http) =>
        await http.Connection.GetClientCertificateAsync() is X509Certificate2 certificate ? VendorPki.SerialNumberOf(certificate) : null;

    /// <summary>Every device endpoint serves only devices enrolled here and not revoked (docs/reference/vendor-admin-api.md).</summary>
    public static bool IsEnrolled(ServerStore store, string serial) => store.Find(serial) is { State: not "revoked" };

    /// <summary>A client certificate is acceptable when it chains to the vendor CA and names a serial number.</summary>
    public static bool IsDeviceCertificate(X509Certificate2 certificate, X509Certificate2 vendorCa) =>
        CmsSigning.Chains(certificate, vendorCa) && VendorPki.SerialNumberOf(certificate) is not null;
}
