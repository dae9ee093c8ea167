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
}
