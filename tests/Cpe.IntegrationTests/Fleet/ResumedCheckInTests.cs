using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cpe.IntegrationTests.VendorServer;
using Cpe.Sztp;
using Cpe.Sztp.Tls;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Fleet;

/// <summary>
/// Check-ins on resumed TLS 1.3 sessions (the agent's ResumingTlsClient): the resumption is real (openssl s_server says
/// so), and a resumed session still speaks for the device whose certificate opened it, and only for it: the
/// enrolment is read per check-in, and the body must name the certificate's serial number.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ResumedCheckInTests : VendorServerTest
{
    static byte[] CheckIn(string serial) =>
        FleetCheckIn.ToJson(new CheckInRequest(serial, "sim", "cpe-firmware", "1.0.0", 10, 1, "fleet", 0, false, [], null, Guid.NewGuid().ToString("N")));

    [Fact]
    public async Task The_second_connection_resumes_and_openssl_s_server_sees_it_reused()
    {
        int port = VendorServerProcess.FreePort();
        var server = new ProcessStartInfo("openssl", ["s_server", "-accept", $"127.0.0.1:{port}", "-cert", Server.Dir["server.pem"], "-key", Server.Dir["server.key"],
            "-CAfile", Server.Dir["vendor-ca.pem"], "-Verify", "2", "-tls1_3", "-www", "-quiet"])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var sServer = Process.Start(server)!;
        try
        {
            await Poll.UntilAsync(() => VendorServerProcess.Listens(port), TimeSpan.FromSeconds(10), "openssl s_server listening", TimeSpan.FromMilliseconds(50));
            using var client = new ResumingTlsClient(Server.Device("SIM-C"));
            var url = new Uri($"https://127.0.0.1:{port}");
            var pages = new List<string>();
            for (int i = 0; i < 3; i++)
            {
                var answer = await client.RequestAsync("GET", url, "/", null, [], TimeSpan.FromSeconds(10));
                Assert.Equal(200, answer.Status);
                pages.Add(Encoding.UTF8.GetString(answer.Body));
                Assert.Equal(i > 0, client.LastResumed);
            }
            // s_server's status page: whether it resumed, and the client certificate it verified (-Verify), every time.
            Assert.Contains("New, TLSv1.3", pages[0]);
            Assert.All(pages.Skip(1), p => Assert.Contains("Reused, TLSv1.3", p));
            Assert.All(pages, p => Assert.Contains("CN=SIM-C", p));
        }
        finally { sServer.Kill(); }
    }

    [Fact]
    public async Task A_resumed_session_checks_in_as_its_device_and_only_as_it()
    {
        var device = new SimulatedDevice("SIM-C", Server.Device("SIM-C"), Server.Owner);
        await device.CheckInAsync(Server.Url);
        Assert.False(device.LastResumed);
        var answer = await device.CheckInAsync(Server.Url);   // verified: signed by the owner, for SIM-C, with this check-in's nonce
        Assert.True(device.LastResumed);
        Assert.Equal("SIM-C", answer.SerialNumber);

        // The same session naming another device in the body: refused, as with a full handshake.
        using var tls = new ResumingTlsClient(Server.Device("SIM-C"));
        var url = new Uri(Server.Url);
        Assert.Equal(200, (await tls.PostAsync(url, FleetCheckIn.Path, FleetCheckIn.MediaType, CheckIn("SIM-C"), TimeSpan.FromSeconds(10))).Status);
        var other = await tls.PostAsync(url, FleetCheckIn.Path, FleetCheckIn.MediaType, CheckIn("SIM-A"), TimeSpan.FromSeconds(10));
        Assert.True(tls.LastResumed);
        Assert.Equal(403, other.Status);
        Assert.Contains("the body names SIM-A but the certificate SIM-C", Encoding.UTF8.GetString(other.Body));

        // Revoked after the session was made: the resumed check-in is refused, the enrolment being read per check-in.
        using var admin = Server.Client(Server.AdminUrl, token: Server.Token);
        var revoke = new JsonObject { ["conveyedInformation"] = Convert.ToBase64String(File.ReadAllBytes(Server.Dir["unsigned.cms"])), ["state"] = "revoked" };
        var put = await admin.PutAsync("/api/v1/devices/SIM-C", new StringContent(revoke.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var refused = await tls.PostAsync(url, FleetCheckIn.Path, FleetCheckIn.MediaType, CheckIn("SIM-C"), TimeSpan.FromSeconds(10));
        Assert.True(tls.LastResumed);
        Assert.Equal(404, refused.Status);
    }
}
