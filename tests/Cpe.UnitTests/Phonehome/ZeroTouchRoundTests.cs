using System.Net.Http;
using System.Net.Sockets;
using Cpe.Api;
using Cpe.Phonehome;
using Cpe.Platform.Provisioning;
using Cpe.TestKit;

namespace Cpe.UnitTests.Phonehome;

[Trait("Kind", "Unit")]
public class ZeroTouchRoundTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, ZtpCauses.Connect)]
    [InlineData(HttpRequestError.SecureConnectionError, ZtpCauses.Tls)]
    [InlineData(HttpRequestError.NameResolutionError, ZtpCauses.Dns)]
    [InlineData(HttpRequestError.ResponseEnded, ZtpCauses.Http)]
    public void A_failed_call_is_classed_by_what_failed(HttpRequestError error, string cause) =>
        Assert.Equal(cause, RoundLog.CauseOf(new BootstrapException("x", new HttpRequestException(error, "x"))));

    [Fact]
    public void Timeouts_refusals_and_status_codes_have_their_own_causes()
    {
        Assert.Equal(ZtpCauses.Timeout, RoundLog.CauseOf(new BootstrapException("no answer in time", new TaskCanceledException())));
        Assert.Equal(ZtpCauses.Http, RoundLog.CauseOf(new BootstrapException("answered 404: not enrolled")));
        Assert.Equal(ZtpCauses.Refused, RoundLog.CauseOf(new Cpe.Sztp.SztpVerificationException("voucher", "for another serial")));
        Assert.Equal(ZtpCauses.Dns, RoundLog.CauseOf(new SocketException(11001)));
    }

    [Fact]
    public void A_round_s_summary_counts_each_cause_and_details_are_bounded()
    {
        var round = new RoundLog(new ManualClock(T0));
        round.Add("DHCP option 143 on ge-0/0/0", "https://a:8443/ at 192.0.2.1", ZtpCauses.Connect, "Connection refused");
        round.Add("DHCP option 143 on ge-0/0/0", "https://a:8443/ at 2001:db8::1", ZtpCauses.Connect, "Network unreachable");
        round.Add("DNS (example.net)", "https://b/", ZtpCauses.Dns, new string('x', 1000));
        Assert.Equal("no TCP connection (2); the name did not resolve (1)", round.Summary());
        Assert.True(round.Attempts[2].Detail.Length <= 301);
    }

    [Fact]
    public void A_failed_round_s_tries_stay_shown_until_a_round_succeeds_and_failing_for_five_minutes_is_an_alarm()
    {
        ZtpAttempt[] tries = [new("DHCP option 143 on ge-0/0/0", "https://a:8443/ at 192.0.2.1", ZtpCauses.Connect, "Connection refused", T0)];
        var status = new ZtpStatus("idle", "", T0, null);
        status = ZeroTouchStatus.Next(status, new ZtpStatusParams("discovering", "looking"), "phonehome", T0);
        Assert.Null(status.FailingSince);

        status = ZeroTouchStatus.Next(status, new ZtpStatusParams("discovering", "no source gave usable bootstrap data", "unreachable")
        { Attempts = tries, NextRound = T0.AddSeconds(30) }, "phonehome", T0.AddSeconds(1));
        Assert.Equal(T0.AddSeconds(1), status.FailingSince);
        status = ZeroTouchStatus.Next(status, new ZtpStatusParams("connecting", "https://a:8443/"), "phonehome", T0.AddMinutes(2));
        Assert.Equal(tries, status.Attempts);                 // still shown while the next round runs
        Assert.Null(status.NextRound);                        // that round has started
        Assert.Null(ZeroTouchStatus.Failing(status, T0.AddMinutes(2), ProvisioningMethods.FailingFor));

        status = ZeroTouchStatus.Next(status, new ZtpStatusParams("discovering", "no source gave usable bootstrap data", "unreachable")
        { Attempts = tries }, "phonehome", T0.AddMinutes(6));
        Assert.Contains("no usable bootstrap data since", ZeroTouchStatus.Failing(status, T0.AddMinutes(6), ProvisioningMethods.FailingFor));

        status = ZeroTouchStatus.Next(status, new ZtpStatusParams("complete", "bootstrapped"), "phonehome", T0.AddMinutes(7));
        Assert.Empty(status.Attempts);
        Assert.Null(status.FailingSince);
    }
}
