using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.IntegrationTests;

/// <summary>
/// The bootstrap server's RESTCONF operations over real TLS with IDevID client certificates: a device
/// gets its own signed data and the device-side verifier accepts it; progress is recorded; a certificate
/// from another CA gets nothing; bad bodies get RESTCONF errors; curl works as RFC 8572 documents it.
/// </summary>
public sealed class VendorServerTests : IAsyncLifetime
{
    static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    readonly TempFolder _dir = new("cpe-server-");
    readonly X509Certificate2 _vendorCa = VendorPki.CreateCa("CN=Example Vendor CA, O=Example Vendor", Now.AddDays(-1), TimeSpan.FromDays(3650));
    readonly X509Certificate2 _serverCa = VendorPki.CreateCa("CN=Example Vendor TLS CA, O=Example Vendor", Now.AddDays(-1), TimeSpan.FromDays(3650));
    readonly X509Certificate2 _ownerCa = VendorPki.CreateCa("CN=Owner CA, O=Example Owner", Now.AddDays(-1), TimeSpan.FromDays(3650));
    X509Certificate2 _deviceA = null!, _deviceB = null!;
    Process _server = null!;
    string _url = "";
    readonly byte[] _content = Encoding.UTF8.GetBytes("""{"ietf-sztp-conveyed-info:onboarding-information":{"configuration-handling":"merge","configuration":"e30="}}""");

    static void Pem(string path, X509Certificate2 c)
    {
        File.WriteAllText(path + ".pem", c.ExportCertificatePem() + "\n");
        if (c.GetECDsaPrivateKey() is { } key) File.WriteAllText(path + ".key", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    static X509Certificate2 ServerCertificate(X509Certificate2 ca)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        using var issued = request.Create(ca, Now.AddDays(-1), Now.AddDays(30), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async Task InitializeAsync()
    {
        // xunit does not call DisposeAsync when this throws: clean up here, then fail.
        try { await StartAsync(); }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    async Task StartAsync()
    {
        _deviceA = VendorPki.IssueDevice(_vendorCa, "SIM-A", "sim", Now.AddDays(-1));
        _deviceB = VendorPki.IssueDevice(_vendorCa, "SIM-B", "sim", Now.AddDays(-1));
        Pem(_dir["vendor-ca"], _vendorCa);
        Pem(_dir["server-ca"], _serverCa);
        Pem(_dir["server"], ServerCertificate(_serverCa));
        Pem(_dir["device-a"], _deviceA);
        var owner = VendorPki.Issue(_ownerCa, "CN=owner signer", Now.AddDays(-1), TimeSpan.FromDays(30));
        var signer = VendorPki.Issue(_vendorCa, "CN=voucher signer", Now.AddDays(-1), TimeSpan.FromDays(30));
        File.WriteAllBytes(_dir["conveyed.cms"], Cms.Sign(_content, SztpOids.ConveyedInfoJson, owner));
        File.WriteAllBytes(_dir["owner.cms"], Cms.CertificatesOnly(owner));
        File.WriteAllBytes(_dir["voucher-a.cms"], new OwnershipVoucher(Now.AddMinutes(-5), Now.AddDays(7), "verified", "SIM-A", _ownerCa.RawData).Sign(signer));
        File.WriteAllBytes(_dir["redirect.cms"], Cms.Unsigned(new ConveyedInformation.Redirect([new RedirectServer("192.0.2.10", 8443)]).ToJson()));
        string db = _dir["server.db"];
        Command.Run(Binaries.VendorServer, ["enroll", "--db", db, "--serial", "SIM-A", "--conveyed", _dir["conveyed.cms"], "--owner-certificate", _dir["owner.cms"], "--voucher", _dir["voucher-a.cms"]]);
        Command.Run(Binaries.VendorServer, ["enroll", "--db", db, "--serial", "SIM-B", "--conveyed", _dir["redirect.cms"]]);

        _url = $"https://127.0.0.1:{FreePort()}";
        _server = Process.Start(new ProcessStartInfo(Binaries.VendorServer, ["serve", "--urls", _url, "--db", db, "--vendor-ca", _dir["vendor-ca.pem"],
            "--tls-cert", _dir["server.pem"], "--tls-key", _dir["server.key"]]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        var errors = new StringBuilder();
        _server.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        _server.BeginErrorReadLine();
        _server.BeginOutputReadLine();
        for (int i = 0; i < 200 && !_server.HasExited; i++)
        {
            try { using var probe = new TcpClient(); await probe.ConnectAsync(IPAddress.Loopback, new Uri(_url).Port); return; }
            catch (SocketException) { await Task.Delay(50); }
        }
        lock (errors) throw new TimeoutException($"the server did not listen: {errors}");
    }

    public Task DisposeAsync()
    {
        if (_server is not null && !_server.HasExited) { _server.Kill(); _server.WaitForExit(5000); }
        _dir.Dispose();
        return Task.CompletedTask;
    }

    HttpClient Client(X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && Cms.Chains(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), _serverCa);
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
        return new HttpClient(handler) { BaseAddress = new Uri(_url) };
    }

    static StringContent Body(byte[] json) => new(Encoding.UTF8.GetString(json), Encoding.UTF8, Restconf.MediaType);

    [Fact]
    public async Task A_device_gets_its_signed_data_verifies_it_and_reports_progress()
    {
        using var client = Client(_deviceA);
        var answer = await client.PostAsync(Restconf.GetBootstrappingData, Body(new BootstrappingRequest(true, "sim", Nonce: new byte[16]).ToJson()));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(Restconf.MediaType, answer.Content.Headers.ContentType!.MediaType);
        var reply = BootstrappingReply.Parse(await answer.Content.ReadAsByteArrayAsync());
        var json = SignedDataVerifier.Verify(reply.ConveyedInformation, reply.OwnerCertificate!, reply.OwnershipVoucher!, _vendorCa, "SIM-A", DateTimeOffset.UtcNow);
        Assert.Equal(_content, json);

        foreach (var type in new[] { "bootstrap-initiated", "parsing-complete", "bootstrap-complete" })
            Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync(Restconf.ReportProgress, Body(new ProgressReport(type, $"{type} here").ToJson()))).StatusCode);
        var history = Command.Run(Binaries.VendorServer, ["progress", "--db", _dir["server.db"], "--serial", "SIM-A"]);
        Assert.Matches(@"^\S+ bootstrap-initiated: bootstrap-initiated here\n\S+ parsing-complete: parsing-complete here\n\S+ bootstrap-complete: bootstrap-complete here\n$", history);
    }

    [Fact]
    public async Task Each_device_gets_only_its_own_data_and_a_stranger_gets_nothing()
    {
        using var b = Client(_deviceB);
        var redirect = BootstrappingReply.Parse(await (await b.PostAsync(Restconf.GetBootstrappingData, Body(new BootstrappingRequest().ToJson()))).Content.ReadAsByteArrayAsync());
        Assert.Null(redirect.OwnershipVoucher);
        Assert.IsType<ConveyedInformation.Redirect>(ConveyedInformation.Parse(Cms.ReadContentInfo(redirect.ConveyedInformation, "conveyed information").Content));

        var strangerCa = VendorPki.CreateCa("CN=Stranger CA", Now.AddDays(-1), TimeSpan.FromDays(30));
        using var stranger = Client(VendorPki.IssueDevice(strangerCa, "SIM-A", "sim", Now.AddDays(-1)));
        await Assert.ThrowsAsync<HttpRequestException>(() => stranger.PostAsync(Restconf.GetBootstrappingData, Body(new BootstrappingRequest().ToJson())));
        using var anonymous = Client(null);
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.PostAsync(Restconf.GetBootstrappingData, Body(new BootstrappingRequest().ToJson())));
    }

    [Fact]
    public async Task Bad_bodies_get_restconf_errors()
    {
        using var client = Client(_deviceA);
        var shortNonce = await client.PostAsync(Restconf.GetBootstrappingData, Body("""{"ietf-sztp-bootstrap-server:input":{"nonce":"AAAAAA=="}}"""u8.ToArray()));
        Assert.Equal(HttpStatusCode.BadRequest, shortNonce.StatusCode);
        Assert.Contains("\"error-tag\":\"invalid-value\"", await shortNonce.Content.ReadAsStringAsync());
        var unknownType = await client.PostAsync(Restconf.ReportProgress, Body("""{"ietf-sztp-bootstrap-server:input":{"progress-type":"bootstrap-teleported"}}"""u8.ToArray()));
        Assert.Equal(HttpStatusCode.BadRequest, unknownType.StatusCode);
        Assert.Contains("is not a progress type of RFC 8572", await unknownType.Content.ReadAsStringAsync());
        var plain = await client.PostAsync(Restconf.GetBootstrappingData, new StringContent("{}", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
    }

    [Fact]
    public void Curl_with_the_device_certificate_calls_the_operations_as_rfc_8572_documents()
    {
        string output = Command.Run("curl", ["-sS", "--cacert", _dir["server-ca.pem"], "--cert", _dir["device-a.pem"], "--key", _dir["device-a.key"],
            "-H", $"Content-Type: {Restconf.MediaType}", "-H", $"Accept: {Restconf.MediaType}",
            "-d", """{"ietf-sztp-bootstrap-server:input":{"hw-model":"sim"}}""", _url + Restconf.GetBootstrappingData]);
        var reply = BootstrappingReply.Parse(Encoding.UTF8.GetBytes(output));
        Assert.NotNull(reply.OwnershipVoucher);
        string status = Command.Run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", _dir["server-ca.pem"], "--cert", _dir["device-a.pem"], "--key", _dir["device-a.key"],
            "-H", $"Content-Type: {Restconf.MediaType}", "-d", """{"ietf-sztp-bootstrap-server:input":{"progress-type":"informational","message":"from curl"}}""", _url + Restconf.ReportProgress]);
        Assert.Equal("204", status);
    }
}
