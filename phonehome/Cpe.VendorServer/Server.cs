using System.Net;
using System.Security.Cryptography.X509Certificates;
using Cpe.VendorServer.Deployments;
using Cpe.VendorServer.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Cpe.VendorServer;

/// <summary>
/// Kestrel with two kinds of ports: device ports, where a client certificate chained to the vendor CA is required in
/// the TLS handshake (RFC 8572 operations, fleet check-in, image downloads), and admin ports (token-authenticated
/// REST API and its OpenAPI document) that ask for no client certificate.
/// </summary>
public static class Server
{
    public static async Task RunAsync(ServerOptions o)
    {
        var store = ServerStore.Open(o.Database);
        store.Migrate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJsonContext.Default);
            // A body missing a required member, with null where none may be, or with a member twice is a 400, not a 500 later.
            j.SerializerOptions.RespectNullableAnnotations = true;
            j.SerializerOptions.RespectRequiredConstructorParameters = true;
            j.SerializerOptions.AllowDuplicateProperties = false;
        });
        builder.Services.AddOpenApi(AdminOpenApi.Configure);
        var devicesOnly = new DeviceCertificateCheck(o.VendorCa, TimeProvider.System);
        builder.WebHost.ConfigureKestrel(k =>
        {
            foreach (var url in o.DeviceUrls)
                Listen(k, url, https =>
                {
                    https.ServerCertificate = o.Tls;
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    // Devices only: an IDevID from the vendor CA. Anything else fails the TLS handshake.
                    https.ClientCertificateValidation = (certificate, _, _) => devicesOnly.IsDevice(certificate);
                    // SslStream builds the client's chain at every handshake (resumed ones too) before asking the check above;
                    // against the system's trust store that was a fifth of a check-in's CPU (OpenSSL sorting the store's
                    // names). The vendor CA alone is the only anchor a device chains to anyway.
                    https.OnAuthenticate = (_, ssl) => ssl.CertificateChainPolicy = DeviceChainPolicy(o.VendorCa);
                });
            foreach (var url in o.AdminUrls)
                Listen(k, url, https =>
                {
                    https.ServerCertificate = o.Tls;
                    https.ClientCertificateMode = ClientCertificateMode.NoCertificate;
                });
        });
        var clock = TimeProvider.System;
        var app = builder.Build();
        app.UseListenerBinding();
        app.UseAdminAccess(store, clock);
        var signer = o.Signer is null ? null : new FleetSigner(o.Signer);
        var devices = app.MapGroup("").OnPorts(o.DeviceUrls);
        BootstrapEndpoints.Map(devices, store, clock, new WireRecorder(o.Record));
        await using var recorder = new CheckInRecorder(store, app.Logger);
        await using var snapshot = new FleetSnapshot(store, TimeSpan.FromSeconds(1));
        await using var deployments = new DeploymentEngine(store, snapshot, clock, app.Logger, TimeSpan.FromSeconds(1));
        FleetEndpoints.Map(devices, store, snapshot, recorder, deployments, signer, o.Images, o.CheckInSeconds, clock);
        if (o.AdminUrls.Count > 0)
        {
            var admin = app.MapGroup("").OnPorts(o.AdminUrls);
            AdminEndpoints.Map(admin, store, snapshot, signer, o.VendorCa, o.Images, o.MaxImageBytes, o.PublicUrl, o.CheckInSeconds, clock);
            VnfPackageEndpoints.MapAdmin(admin.MapGroup(AdminEndpoints.Prefix).RequireRole(AdminAccess.Viewer), store, snapshot, o.VnfTrust, o.Images, o.MaxImageBytes, clock);
            app.MapOpenApi().OnPorts(o.AdminUrls);
        }
        await app.StartAsync();
        Console.WriteLine(Banner(o, store));
        await app.WaitForShutdownAsync();
    }

    /// <summary>What an operator needs to know once the server listens: where, on which database, and where the admin API is.</summary>
    static string Banner(ServerOptions o, ServerStore store)
    {
        var lines = new List<string>
        {
            $"cpe-vendor-server: devices at {string.Join(", ", o.DeviceUrls.Select(u => u.ToString().TrimEnd('/')))} (they are sent {o.PublicUrl})",
            $"database: {store.Describe()}, {store.DeviceCount()} device(s) enrolled",
            o.AdminUrls.Count == 0 ? "admin API: none (no --admin-urls)"
                : $"admin API: {string.Join(", ", o.AdminUrls.Select(u => u.ToString().TrimEnd('/') + "/api/v1"))} (a token from 'cpe-vendor-server token'); " +
                  $"OpenAPI document at {o.AdminUrls[0].ToString().TrimEnd('/')}/openapi/v1.json; fleet UI at {o.AdminUrls[0].ToString().TrimEnd('/')}/ui/",
            $"images in {o.Images}; check-ins every {o.CheckInSeconds} s; " +
                (o.Signer is null ? "no owner signing certificate (--signing-cert): no bundles or check-in answers" : $"signing as {o.Signer.Subject}"),
        };
        return string.Join('\n', lines);
    }

    static X509ChainPolicy DeviceChainPolicy(X509Certificate2 vendorCa)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.Add(vendorCa);
        return policy;
    }

    static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions k, Uri url, Action<HttpsConnectionAdapterOptions> https)
    {
        if (url.Host is "*" or "0.0.0.0" or "+") k.ListenAnyIP(url.Port, l => l.UseHttps(https));
        else if (url.IsLoopback && !IPAddress.TryParse(url.Host, out _)) k.ListenLocalhost(url.Port, l => l.UseHttps(https));
        else k.Listen(IPAddress.Parse(url.Host.Trim('[', ']')), url.Port, l => l.UseHttps(https));
    }
}
