using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Cpe.TestKit;

/// <summary>yanglint (libyang2-tools), the independent judge of RFC 8572 bodies, against the modules in phonehome/yang.</summary>
public static class Yanglint
{
    const string Module = "ietf-sztp-bootstrap-server";
    static string Yang => Path.Combine(Binaries.RepositoryRoot, "phonehome", "yang");

    /// <summary>
    /// Validates a RESTCONF body (<c>{"ietf-sztp-bootstrap-server:input|output": {…}}</c>) of <paramref name="rpc"/>;
    /// mode is "rpc" for requests and "reply" for answers. Returns yanglint's exit status and what it printed.
    /// </summary>
    public static (int ExitCode, string Output) Validate(string mode, string rpc, JsonNode body, string scratch)
    {
        var inner = body.AsObject().Single().Value!.DeepClone();
        string file = Path.Combine(scratch, $"{rpc}-{mode}-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, new JsonObject { [$"{Module}:{rpc}"] = inner }.ToJsonString());
        var psi = new ProcessStartInfo("yanglint", ["-p", Yang, "-t", mode, Path.Combine(Yang, $"{Module}@2019-04-30.yang"), file])
        { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        string output = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    /// <summary>
    /// Validates an ietf-restconf:errors body (RFC 8040 §7.1) against ietf-restconf's own "errors" grouping, through a
    /// test-only module that makes it a top-level node (yanglint reads no yang-data); each error-path must resolve in
    /// ietf-sztp-bootstrap-server's schema.
    /// </summary>
    public static (int ExitCode, string Output) ValidateErrors(JsonNode body, string scratch)
    {
        var errors = body.AsObject()["ietf-restconf:errors"] ?? throw new ArgumentException("not an ietf-restconf:errors body: " + body.ToJsonString());
        string file = Path.Combine(scratch, $"errors-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, new JsonObject { ["cpe-restconf-errors:errors"] = errors.DeepClone() }.ToJsonString());
        string wrapper = Path.Combine(Binaries.RepositoryRoot, "tests", "Cpe.TestKit", "yang");
        return Run(["-p", Yang, "-p", wrapper, Path.Combine(Yang, $"{Module}@2019-04-30.yang"), Path.Combine(wrapper, "cpe-restconf-errors.yang"), file]);
    }

    /// <summary>
    /// Validates an ietf-yang-library:yang-library document against libyang's copy of RFC 8525's module, as the reply
    /// to a retrieval of that one resource (yanglint's "get" type: a subtree, not a whole datastore).
    /// </summary>
    public static (int ExitCode, string Output) ValidateYangLibrary(JsonNode body, string scratch)
    {
        string file = Path.Combine(scratch, $"yang-library-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, body.ToJsonString());
        const string Libyang = "/usr/share/yang/modules/libyang";
        return Run(["-t", "get", "-p", Libyang, Path.Combine(Libyang, "ietf-yang-library@2019-01-04.yang"), Path.Combine(Libyang, "ietf-datastores@2018-02-14.yang"), file]);
    }

    static (int ExitCode, string Output) Run(string[] args)
    {
        var psi = new ProcessStartInfo("yanglint", args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        string output = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
