using System.Text.Json.Nodes;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.VendorServer;

/// <summary>
/// Conformance with an independent tool: yanglint (libyang2-tools) validates our RESTCONF bodies against
/// the RFC 8572 module (kept in phonehome/yang), and refuses what our parsers refuse.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class SztpYanglintTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-yang-");
    public void Dispose() => _dir.Dispose();

    /// <summary>yanglint's exit status for a body, rewrapped in the RPC-named container its -t rpc|reply mode reads.</summary>
    int Yanglint(string mode, string rpc, JsonObject inner) =>
        Cpe.TestKit.Yanglint.Validate(mode, rpc, new JsonObject { ["body"] = inner }, _dir.Path).ExitCode;

    static JsonObject Inner(byte[] body) => (JsonObject)JsonNode.Parse(body)!.AsObject().Single().Value!.DeepClone();

    [Fact]
    public void Our_request_reply_and_every_progress_report_validate()
    {
        byte[] cms = [0x30, 0x00];
        Assert.Equal(0, Yanglint("rpc", "get-bootstrapping-data", new BootstrappingRequest(true, "sim", "cpe-firmware", "0.1.0", new byte[32]).ToNode()));
        Assert.Equal(0, Yanglint("reply", "get-bootstrapping-data", new BootstrappingReply(cms, cms, cms, "verbose").ToNode()));
        foreach (var type in Restconf.ProgressTypes)
            Assert.True(Yanglint("rpc", "report-progress", new ProgressReport(type, "m").ToNode()) == 0, type);
        Assert.Equal(0, Yanglint("rpc", "report-progress", new ProgressReport("bootstrap-complete", null, [("ssh-ed25519", [1, 2])], [cms]).ToNode()));
    }

    [Theory]
    [InlineData("rpc", "get-bootstrapping-data", """{"ietf-sztp-bootstrap-server:input":{"nonce":"AAAAAA=="}}""")]
    [InlineData("rpc", "report-progress", """{"ietf-sztp-bootstrap-server:input":{"progress-type":"bootstrap-teleported"}}""")]
    [InlineData("rpc", "get-bootstrapping-data", """{"ietf-sztp-bootstrap-server:input":{"serial":"x"}}""")]
    [InlineData("reply", "get-bootstrapping-data", """{"ietf-sztp-bootstrap-server:output":{"reporting-level":"minimal"}}""")]
    public void What_yanglint_refuses_our_parsers_refuse(string mode, string rpc, string body)
    {
        Assert.NotEqual(0, Yanglint(mode, rpc, Inner(System.Text.Encoding.UTF8.GetBytes(body))));
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(body);
        Assert.Throws<RestconfException>(() =>
        {
            _ = (mode, rpc) switch
            {
                ("reply", _) => (object)BootstrappingReply.Parse(bytes),
                (_, "report-progress") => ProgressReport.Parse(bytes),
                _ => BootstrappingRequest.Parse(bytes),
            };
        });
    }
}
