using System.Text;
using Cpe.Sztp;

namespace Cpe.UnitTests.Sztp;

/// <summary>The RFC 8572 RESTCONF bodies: what round-trips, and what the module forbids, refused with a RESTCONF error.</summary>
[Trait("Kind", "Unit")]
public sealed class RestconfTests
{
    static byte[] J(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void Requests_replies_and_progress_reports_round_trip()
    {
        var request = new BootstrappingRequest(true, "sim", "cpe-firmware", "0.1.0", new byte[16]);
        Assert.Equal(request with { Nonce = null }, BootstrappingRequest.Parse(request.ToJson()) with { Nonce = null });
        Assert.Equal(new byte[16], BootstrappingRequest.Parse(request.ToJson()).Nonce);
        Assert.Contains("\"signed-data-preferred\":[null]", Encoding.UTF8.GetString(request.ToJson()));

        var reply = new BootstrappingReply([1, 2, 3], [4], [5], "verbose");
        var back = BootstrappingReply.Parse(reply.ToJson());
        Assert.Equal([1, 2, 3], back.ConveyedInformation);
        Assert.Equal("verbose", back.ReportingLevel);
        Assert.Equal(new byte[] { 5 }, back.OwnershipVoucher);

        var report = new ProgressReport("bootstrap-complete", "done", [("ssh-ed25519", [9, 9])], [[7, 7]]);
        var parsed = ProgressReport.Parse(report.ToJson());
        Assert.Equal(("bootstrap-complete", "done", "ssh-ed25519"), (parsed.ProgressType, parsed.Message, parsed.SshHostKeys![0].Algorithm));
        Assert.Equal(27, Restconf.ProgressTypes.Length);
    }

    [Theory]
    [InlineData("request", """{"ietf-sztp-bootstrap-server:input":{"nonce":"AAAAAA=="}}""", "invalid-value", "/ietf-sztp-bootstrap-server:get-bootstrapping-data/nonce: must be 16 to 32 bytes, not 4")]
    [InlineData("request", """{"ietf-sztp-bootstrap-server:input":{"serial":"x"}}""", "unknown-element", "/ietf-sztp-bootstrap-server:get-bootstrapping-data: unknown element 'serial'")]
    [InlineData("request", """{"ietf-sztp-bootstrap-server:input":{"signed-data-preferred":true}}""", "invalid-value", "/ietf-sztp-bootstrap-server:get-bootstrapping-data/signed-data-preferred: an empty leaf is [null]")]
    [InlineData("request", """{"input":{}}""", "malformed-message", "the body must be one ietf-sztp-bootstrap-server:input object")]
    [InlineData("progress", """{"ietf-sztp-bootstrap-server:input":{"progress-type":"bootstrap-teleported"}}""", "invalid-value", "/ietf-sztp-bootstrap-server:report-progress/progress-type: 'bootstrap-teleported' is not a progress type of RFC 8572")]
    [InlineData("progress", """{"ietf-sztp-bootstrap-server:input":{"progress-type":"config-error","trust-anchor-certs":{"trust-anchor-cert":["AA=="]}}}""", "invalid-value", "/ietf-sztp-bootstrap-server:report-progress/trust-anchor-certs: only with bootstrap-complete")]
    [InlineData("reply", """{"ietf-sztp-bootstrap-server:output":{"conveyed-information":"AA==","owner-certificate":"AA=="}}""", "invalid-value", "/ietf-sztp-bootstrap-server:get-bootstrapping-data: owner-certificate and ownership-voucher come together or not at all")]
    [InlineData("reply", """{"ietf-sztp-bootstrap-server:output":{"reporting-level":"minimal"}}""", "missing-element", "/ietf-sztp-bootstrap-server:get-bootstrapping-data/conveyed-information: is mandatory")]
    public void What_the_module_forbids_is_a_restconf_error(string kind, string json, string tag, string message)
    {
        var e = Assert.Throws<RestconfException>(() =>
        {
            _ = kind switch
            {
                "request" => (object)BootstrappingRequest.Parse(J(json)),
                "progress" => ProgressReport.Parse(J(json)),
                _ => BootstrappingReply.Parse(J(json)),
            };
        });
        Assert.Equal((tag, message), (e.ErrorTag, e.Message));
        Assert.Contains($"\"error-tag\":\"{tag}\"", Encoding.UTF8.GetString(e.ToJson()));
    }
}
