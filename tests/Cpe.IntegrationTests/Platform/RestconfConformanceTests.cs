using System.Text;
using System.Text.Json.Nodes;
using Cpe.IntegrationTests.VendorServer;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>
/// RFC 8040 as an independent client sees it: curl with a device certificate discovers the root, reads the YANG library
/// and calls the operations; every JSON answer, error bodies included, is judged by yanglint against the RFC modules.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class RestconfConformanceTests : VendorServerTest
{
    string[] Tls => ["-sS", "--cacert", Server.Dir["server-ca.pem"], "--cert", Server.Dir["device-a.pem"], "--key", Server.Dir["device-a.key"]];

    /// <summary>curl's status line, headers and body for one request.</summary>
    (int Status, Dictionary<string, string> Headers, string Body) Curl(string method, string path, string? body = null, params string[] headers)
    {
        if (!File.Exists(Server.Dir["device-a.pem"])) PemFile.Write(Server.Dir["device-a"], Server.Device("SIM-A"));
        var args = new List<string>(Tls) { "-X", method, "-D", "-", Server.Url + path };
        if (method == "HEAD") args.Add("-I");
        foreach (var h in headers) { args.Add("-H"); args.Add(h); }
        if (body is not null) { args.Add("--data-binary"); args.Add(body); }
        string output = Command.Run("curl", args);
        int split = output.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = output[..split].Split("\r\n");
        var fields = head.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        return (int.Parse(head[0].Split(' ')[1]), fields, output[(split + 4)..]);
    }

    void AssertErrors(string body, string tag)
    {
        var node = JsonNode.Parse(body)!;
        Assert.Equal(tag, node["ietf-restconf:errors"]!["error"]![0]!["error-tag"]!.GetValue<string>());
        var (code, output) = Yanglint.ValidateErrors(node, Server.Dir.Path);
        Assert.True(code == 0, $"yanglint refused the error body {body}: {output}");
    }

    [Fact]
    public void A_client_discovers_the_root_reads_the_yang_library_and_sees_cache_control_everywhere()
    {
        var hostMeta = Curl("GET", "/.well-known/host-meta");
        Assert.Equal(200, hostMeta.Status);
        Assert.StartsWith("application/xrd+xml", hostMeta.Headers["content-type"]);
        Assert.Contains("<Link rel='restconf' href='/restconf'/>", hostMeta.Body);

        var root = Curl("GET", "/restconf");
        Assert.Equal(200, root.Status);
        Assert.Equal("2019-01-04", JsonNode.Parse(root.Body)!["ietf-restconf:restconf"]!["yang-library-version"]!.GetValue<string>());
        Assert.Equal("2019-01-04", JsonNode.Parse(Curl("GET", "/restconf/yang-library-version").Body)!["ietf-restconf:yang-library-version"]!.GetValue<string>());
        var operations = JsonNode.Parse(Curl("GET", "/restconf/operations").Body)!["ietf-restconf:operations"]!.AsObject();
        Assert.Equal(["ietf-sztp-bootstrap-server:get-bootstrapping-data", "ietf-sztp-bootstrap-server:report-progress"], operations.Select(o => o.Key).Order().ToArray());

        var library = Curl("GET", "/restconf/data/ietf-yang-library:yang-library");
        Assert.Equal(200, library.Status);
        var (code, output) = Yanglint.ValidateYangLibrary(JsonNode.Parse(library.Body)!, Server.Dir.Path);
        Assert.True(code == 0, $"yanglint refused the YANG library: {output}\n{library.Body}");
        Assert.Contains("\"ietf-sztp-bootstrap-server\"", library.Body);

        foreach (var answer in new[] { hostMeta, root, library, Curl("POST", Restconf.GetBootstrappingData), Curl("GET", Restconf.ReportProgress) })
            Assert.Equal("no-store", answer.Headers["cache-control"]);
    }

    [Fact]
    public void Every_input_of_get_bootstrapping_data_is_optional_so_no_body_or_an_empty_one_is_an_empty_input()
    {
        foreach (var (body, headers) in new (string?, string[])[] { (null, []), ("", [$"Content-Type: {Restconf.MediaType}"]), ("", []) })
        {
            var answer = Curl("POST", Restconf.GetBootstrappingData, body, headers);
            Assert.True(answer.Status == 200, $"{answer.Status}: {answer.Body}");
            var (code, output) = Yanglint.Validate("reply", "get-bootstrapping-data", JsonNode.Parse(answer.Body)!, Server.Dir.Path);
            Assert.True(code == 0, output);
        }
        // report-progress has a mandatory input: an empty body is an error naming it.
        var progress = Curl("POST", Restconf.ReportProgress, "", $"Content-Type: {Restconf.MediaType}");
        Assert.Equal(400, progress.Status);
        AssertErrors(progress.Body, "missing-element");
        Assert.Contains("/ietf-sztp-bootstrap-server:report-progress/progress-type", progress.Body);
    }

    [Fact]
    public void Media_types_are_negotiated_as_rfc_8040_says()
    {
        const string Input = """{"ietf-sztp-bootstrap-server:input":{"hw-model":"sim"}}""";
        var xmlOnly = Curl("POST", Restconf.GetBootstrappingData, Input, $"Content-Type: {Restconf.MediaType}", "Accept: application/yang-data+xml");
        Assert.Equal(406, xmlOnly.Status);
        AssertErrors(xmlOnly.Body, "malformed-message");
        var either = Curl("POST", Restconf.GetBootstrappingData, Input, $"Content-Type: {Restconf.MediaType}", "Accept: application/yang-data+xml, application/yang-data+json;q=0.5");
        Assert.Equal(200, either.Status);
        var prefix = Curl("POST", Restconf.GetBootstrappingData, Input, "Content-Type: application/yang-data+jsonfoo");
        Assert.Equal(415, prefix.Status);
        AssertErrors(prefix.Body, "malformed-message");
        var mixedCase = Curl("POST", Restconf.GetBootstrappingData, Input, "Content-Type: Application/YANG-Data+JSON; charset=utf-8");
        Assert.Equal(200, mixedCase.Status);
    }

    [Fact]
    public void Methods_unknown_operations_and_bad_bodies_get_errors_that_yanglint_accepts()
    {
        var options = Curl("OPTIONS", Restconf.GetBootstrappingData);
        Assert.Equal(204, options.Status);
        Assert.Equal("OPTIONS, POST", options.Headers["allow"]);
        var get = Curl("GET", Restconf.GetBootstrappingData);
        Assert.Equal(405, get.Status);
        Assert.Equal("OPTIONS, POST", get.Headers["allow"]);
        AssertErrors(get.Body, "operation-not-supported");
        var unknown = Curl("POST", "/restconf/operations/ietf-sztp-bootstrap-server:teleport", "{}", $"Content-Type: {Restconf.MediaType}");
        Assert.Equal(404, unknown.Status);
        AssertErrors(unknown.Body, "invalid-value");

        string ct = $"Content-Type: {Restconf.MediaType}";
        foreach (var (body, tag) in new[]
        {
            ("""{"ietf-sztp-bootstrap-server:input":{"nonce":"AAAAAA=="}}""", "invalid-value"),
            ("""{"ietf-sztp-bootstrap-server:input":{"serial":"x"}}""", "unknown-element"),
            ("""{"ietf-sztp-bootstrap-server:input":{"hw-model":"a","hw-model":"b"}}""", "malformed-message"),
            ("""{"ietf-sztp-bootstrap-server:input":{"signed-data-preferred":true}}""", "invalid-value"),
        })
        {
            var answer = Curl("POST", Restconf.GetBootstrappingData, body, ct);
            Assert.True(answer.Status == 400, $"{body}: {answer.Status} {answer.Body}");
            AssertErrors(answer.Body, tag);
        }
        // Invalid UTF-8 in a string: a 400 with an error body, not a 500.
        File.WriteAllBytes(Server.Dir["latin1.json"], [.. Encoding.ASCII.GetBytes("{\"ietf-sztp-bootstrap-server:input\":{\"hw-model\":\"caf"), 0xE9, .. Encoding.ASCII.GetBytes("\"}}")]);
        var latin1 = Curl("POST", Restconf.GetBootstrappingData, "@" + Server.Dir["latin1.json"], ct);
        Assert.Equal(400, latin1.Status);
        AssertErrors(latin1.Body, "malformed-message");
    }
}
