using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.VendorServer;

/// <summary>
/// The bootstrap server's RESTCONF operations over real TLS with IDevID client certificates: a device
/// gets its own signed data and the device-side verifier accepts it; progress is recorded; a certificate
/// from another CA gets nothing; bad bodies get RESTCONF errors; curl works as RFC 8572 documents it.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class VendorServerTests : VendorServerTest
{

    HttpClient Client(X509Certificate2? clientCertificate) => Server.Client(Server.Url, clientCertificate);

    static StringContent Body(byte[] json) => new(Encoding.UTF8.GetString(json), Encoding.UTF8, Restconf.MediaType);

    [Fact]
    public async Task A_device_gets_its_signed_data_verifies_it_and_reports_progress()
    {
        using var client = Client(Server.Device("SIM-A"));
        var answer = await client.PostAsync(Restconf.GetBootstrappingData, Body(new BootstrappingRequest(true, "sim", Nonce: new byte[16]).ToJson()));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(Restconf.MediaType, answer.Content.Headers.ContentType!.MediaType);
        var reply = BootstrappingReply.Parse(await answer.Content.ReadAsByteArrayAsync());
        var json = SignedDataVerifier.Verify(reply.ConveyedInformation, reply.OwnerCertificate!, reply.OwnershipVoucher!, Server.VendorCa, "SIM-A", DateTimeOffset.UtcNow);
        Assert.Equal(Server.Content, json);

        foreach (var type in new[] { "bootstrap-initiated", "parsing-complete", "bootstrap-complete" })
            Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync(Restconf.ReportProgress, Body(new ProgressReport(type, $"{type} here").ToJson()))).StatusCode);
        Assert.Matches(@"^\S+ bootstrap-initiated: bootstrap-initiated here\n\S+ parsing-complete: parsing-complete here\n\S+ bootstrap-complete: bootstrap-complete here\n$", Server.Progress("SIM-A"));
    }

    [Fact]
    public async Task Each_device_gets_only_its_own_data_and_a_stranger_gets_nothing()
    {
        using var b = Client(Server.Device("SIM-B"));
        var redirect = BootstrappingReply.Parse(await (await b.PostAsync(Restconf.GetBootstrappingData, Body(new BootstrappingRequest().ToJson()))).Content.ReadAsByteArrayAsync());
        Assert.Null(redirect.OwnershipVoucher);
        Assert.IsType<ConveyedInformation.Redirect>(ConveyedInformation.Parse(Cms.ReadContentInfo(redirect.ConveyedInformation, "conveyed information").Content));

        var strangerCa = VendorPki.CreateCa("CN=Stranger CA", VendorServerProcess.Now.AddDays(-1), TimeSpan.FromDays(30));
        using var stranger = Client(VendorPki.IssueDevice(strangerCa, "SIM-A", "sim", VendorServerProcess.Now.AddDays(-1)));
        await Assert.ThrowsAsync<HttpRequestException>(() => stranger.PostAsync(Restconf.GetBootstrappingData, Body(new BootstrappingRequest().ToJson())));
        using var anonymous = Client(null);
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.PostAsync(Restconf.GetBootstrappingData, Body(new BootstrappingRequest().ToJson())));
        using var unknown = Client(Server.Device("SIM-Z"));
        Assert.Equal(HttpStatusCode.NotFound, (await unknown.PostAsync(Restconf.GetBootstrappingData, Body(new BootstrappingRequest().ToJson()))).StatusCode);
    }

    [Fact]
    public async Task Bad_bodies_get_restconf_errors()
    {
        using var client = Client(Server.Device("SIM-A"));
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
        PemFile.Write(Server.Dir["device-a"], Server.Device("SIM-A"));
        string[] tls = ["-sS", "--cacert", Server.Dir["server-ca.pem"], "--cert", Server.Dir["device-a.pem"], "--key", Server.Dir["device-a.key"], "-H", $"Content-Type: {Restconf.MediaType}"];
        string output = Command.Run("curl", [.. tls, "-H", $"Accept: {Restconf.MediaType}",
            "-d", """{"ietf-sztp-bootstrap-server:input":{"hw-model":"sim"}}""", Server.Url + Restconf.GetBootstrappingData]);
        Assert.NotNull(BootstrappingReply.Parse(Encoding.UTF8.GetBytes(output)).OwnershipVoucher);
        string status = Command.Run("curl", [.. tls, "-o", "/dev/null", "-w", "%{http_code}",
            "-d", """{"ietf-sztp-bootstrap-server:input":{"progress-type":"informational","message":"from curl"}}""", Server.Url + Restconf.ReportProgress]);
        Assert.Equal("204", status);
    }
}
