using Cpe.Phonehome;
using Cpe.Sztp;

namespace Cpe.IntegrationTests.VendorServer;

/// <summary>
/// The device agent's side of RFC 8572 §5 against the real bootstrap server: trusted and provisional
/// sessions, what each may accept, where progress may go, and a server whose certificate is not the
/// configured trust anchor's.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class BootstrapSessionTests : VendorServerTest
{

    FactoryIdentity Identity(string serial) => new(Server.Device(serial), Server.VendorCa, serial);

    [Fact]
    public async Task A_trusted_server_gives_signed_onboarding_information_and_receives_progress()
    {
        var identity = Identity("SIM-A");
        using var session = new BootstrapSession(new BootstrapServer(new Uri(Server.Url), Server.ServerCa), identity, TimeSpan.FromSeconds(10));
        var nonce = new byte[16];
        var reply = await session.GetBootstrappingDataAsync(new BootstrappingRequest(HwModel: "sim", Nonce: nonce), CancellationToken.None);
        var decision = Assert.IsType<ConveyedDecision.Onboard>(ConveyedDecision.Evaluate(reply, session.Trusted, identity, DateTimeOffset.UtcNow, nonce));
        Assert.True(decision.Signed);
        Assert.Equal("merge", decision.Information.ConfigurationHandling);
        await session.ReportAsync(new ProgressReport("bootstrap-initiated"), CancellationToken.None);
        Assert.Contains("bootstrap-initiated", Server.Progress("SIM-A"));
    }

    [Fact]
    public async Task A_provisional_server_must_sign_onboarding_information_and_hears_no_progress()
    {
        var signedDevice = Identity("SIM-A");
        using (var session = new BootstrapSession(new BootstrapServer(new Uri(Server.Url)), signedDevice, TimeSpan.FromSeconds(10)))
        {
            var reply = await session.GetBootstrappingDataAsync(new BootstrappingRequest(), CancellationToken.None);
            Assert.True(((ConveyedDecision.Onboard)ConveyedDecision.Evaluate(reply, session.Trusted, signedDevice, DateTimeOffset.UtcNow, null)).Signed);
            await session.ReportAsync(new ProgressReport("bootstrap-initiated"), CancellationToken.None);
        }
        Assert.Equal("", Server.Progress("SIM-A"));

        // Only unsigned onboarding information is enrolled for SIM-C: the provisional session asks for signed data and is refused.
        using var unsigned = new BootstrapSession(new BootstrapServer(new Uri(Server.Url)), Identity("SIM-C"), TimeSpan.FromSeconds(10));
        var e = await Assert.ThrowsAsync<BootstrapException>(() => unsigned.GetBootstrappingDataAsync(new BootstrappingRequest(), CancellationToken.None));
        Assert.Contains("answered 400", e.Message);
    }

    [Fact]
    public async Task Unsigned_onboarding_information_is_accepted_only_from_a_trusted_server()
    {
        var identity = Identity("SIM-C");
        using var session = new BootstrapSession(new BootstrapServer(new Uri(Server.Url), Server.ServerCa), identity, TimeSpan.FromSeconds(10));
        var reply = await session.GetBootstrappingDataAsync(new BootstrappingRequest(), CancellationToken.None);
        Assert.False(((ConveyedDecision.Onboard)ConveyedDecision.Evaluate(reply, trustedServer: true, identity, DateTimeOffset.UtcNow, null)).Signed);
        var refused = Assert.Throws<SztpVerificationException>(() => ConveyedDecision.Evaluate(reply, trustedServer: false, identity, DateTimeOffset.UtcNow, null));
        Assert.Equal("conveyed information: unsigned onboarding information from a provisional (untrusted) bootstrap server is refused", refused.Message);
    }

    [Fact]
    public async Task Redirect_information_from_a_provisional_server_does_not_bring_trust_anchors()
    {
        var identity = Identity("SIM-B");
        using var provisional = new BootstrapSession(new BootstrapServer(new Uri(Server.Url)), identity, TimeSpan.FromSeconds(10));
        var reply = await provisional.GetBootstrappingDataAsync(new BootstrappingRequest(), CancellationToken.None);
        var untrusted = Assert.IsType<ConveyedDecision.RedirectTo>(ConveyedDecision.Evaluate(reply, provisional.Trusted, identity, DateTimeOffset.UtcNow, null));
        Assert.Equal("https://192.0.2.10:8443/", untrusted.Servers.Single().Uri.ToString());
        Assert.Null(untrusted.Servers.Single().TrustAnchor);
        var trusted = Assert.IsType<ConveyedDecision.RedirectTo>(ConveyedDecision.Evaluate(reply, trustedServer: true, identity, DateTimeOffset.UtcNow, null));
        Assert.Equal(Server.ServerCa.RawData, trusted.Servers.Single().TrustAnchor!.RawData);
    }

    [Fact]
    public async Task A_server_whose_certificate_is_not_under_the_configured_trust_anchor_is_not_talked_to()
    {
        var otherCa = VendorPki.CreateCa("CN=Other TLS CA", VendorServerProcess.Now.AddDays(-1), TimeSpan.FromDays(30));
        using var session = new BootstrapSession(new BootstrapServer(new Uri(Server.Url), otherCa), Identity("SIM-A"), TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<BootstrapException>(() => session.GetBootstrappingDataAsync(new BootstrappingRequest(), CancellationToken.None));
        Assert.Equal("", Server.Progress("SIM-A"));
    }
}
