using System.Text;
using System.Text.Json.Nodes;
using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.VendorServer;

/// <summary>
/// docs/guides/vendor-server.md followed step by step (issue 16, item 10): every <c>sh</c> block of the page, in order,
/// run as written by one bash with errexit, so the page cannot drift from the tools again. The only help it gets is
/// a world where the page's names are real: a mount namespace with empty <c>/srv</c> and <c>/mnt</c>, a network
/// namespace where <c>10.0.0.5</c> is this machine and <c>sztp.example.net</c> resolves to it, the build's tools on
/// PATH, a VNF package and the build's images in the working folder, and the server's command run in the background
/// (as its service unit would) until its start banner says it listens.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class VendorGuideTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("cpe-guide-");
    public void Dispose() => _dir.Dispose();

    /// <summary>The page's <c>sh</c> blocks in order, each without the indent its fence has (a block inside a list item).</summary>
    public static List<string> ShellBlocks(string markdown)
    {
        var blocks = new List<string>();
        StringBuilder? block = null;
        int indent = 0;
        foreach (string line in markdown.Split('\n'))
        {
            string trimmed = line.TrimStart();
            if (block is null && trimmed == "```sh")
            {
                block = new StringBuilder();
                indent = line.Length - trimmed.Length;
            }
            else if (block is not null && trimmed == "```")
            {
                blocks.Add(block.ToString());
                block = null;
            }
            else block?.Append(line.Length >= indent && line[..indent].Trim().Length == 0 ? line[indent..] : line).Append('\n');
        }
        Assert.True(block is null, "an sh block is not closed");
        return blocks;
    }

    [Fact]
    public void The_blocks_of_a_page_are_found_in_order_without_their_list_indent()
    {
        var blocks = ShellBlocks("text\n```sh\na \\\n  b\n```\n1. step\n   ```sh\n   c\n   ```\n```\nnot run\n```\n");
        Assert.Equal(["a \\\n  b\n", "c\n"], blocks);
    }

    [Fact]
    public async Task The_vendor_guide_runs_as_written()
    {
        var blocks = ShellBlocks(File.ReadAllText(Path.Combine(Binaries.RepositoryRoot, "docs", "guides", "vendor-server.md")));
        Assert.True(blocks.Count >= 20, $"only {blocks.Count} sh blocks");
        File.Copy(Path.Combine(Binaries.RepositoryRoot, "out", "vnfs", "firewall.tar"), _dir["firewall.tar"]);
        Directory.CreateDirectory(_dir["out"]);
        Directory.CreateSymbolicLink(_dir["out/image"], Path.GetDirectoryName(Binaries.FirmwareImage("2.0.0"))!);
        File.WriteAllText(_dir["hosts"], "127.0.0.1 localhost\n10.0.0.5 sztp.example.net\n");

        var script = new StringBuilder($"""
            set -euo pipefail
            export PATH={Path.GetDirectoryName(Binaries.VendorTool)}:$PATH
            mount -t tmpfs guide-srv /srv
            mount -t tmpfs guide-mnt /mnt
            mount --bind {_dir["hosts"]} /etc/hosts
            ip link set lo up
            ip addr add 10.0.0.5/32 dev lo
            server=
            trap '[ -z "$server" ] || kill $server' EXIT

            """);
        foreach (var (block, n) in blocks.Select((b, i) => (b, i + 1)))
        {
            script.Append($"echo '### block {n}' >&2\n");
            if (block.StartsWith("cpe-vendor-server serve ", StringComparison.Ordinal))
                script.Append($$"""
                    {{block.TrimEnd('\n')}} > serve.log 2>&1 &
                    server=$!
                    for i in $(seq 300); do grep -q '^admin API:' serve.log && break; kill -0 $server || { cat serve.log; exit 1; }; sleep 0.1; done
                    cat serve.log

                    """);
            else script.Append(block);
        }
        File.WriteAllText(_dir["guide.sh"], script.ToString());

        var psi = new System.Diagnostics.ProcessStartInfo("unshare", ["--mount", "--net", "--fork", "--", "bash", _dir["guide.sh"]])
        {
            WorkingDirectory = _dir.Path, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var run = System.Diagnostics.Process.Start(psi)!;
        var reading = Task.WhenAll(run.StandardOutput.ReadToEndAsync(), run.StandardError.ReadToEndAsync());
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await run.WaitForExitAsync(limit.Token);
        var texts = await reading;
        string stdout = texts[0], stderr = texts[1];
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        // The block that failed is the last one announced on standard error.
        Assert.True(run.ExitCode == 0, $"the guide stopped with status {run.ExitCode} at {stderr.Split('\n').LastOrDefault(l => l.StartsWith("### block", StringComparison.Ordinal))}:\n{stderr}");

        // What the page says the steps give, checked on what they gave.
        Assert.Contains("cpe-vendor-server: devices at https://0.0.0.0:8443 (they are sent https://sztp.example.net:8443)", stdout);
        Assert.Contains("admin API: https://10.0.0.5:9443/api/v1", stdout);
        Assert.Contains("\"target\":\"group:branch\"", stdout);
        Assert.Contains("firewall.tar: signed by CN=Example Vendor VNF signing", stdout);
        // The deployment steps: made by the operator's token, paused, resumed, cancelled, and each of it in the audit log.
        Assert.Contains("\"createdBy\":\"ann\"", stdout);
        Assert.Contains("\"name\":\"firewall\",\"version\":\"0.1.0\"", stdout);   // the VNF package kept in the repository
        Assert.Contains("\"name\":\"firewall-0.1.0\"", stdout);
        Assert.Contains("\"status\":\"paused\"", stdout);
        Assert.Contains("\"status\":\"cancelled\"", stdout);
        foreach (var action in new[] { "deploy", "pause", "resume", "cancel", "token", "site" })
            Assert.Contains($"\"action\":\"{action}\"", stdout);
        var bootstrap = JsonNode.Parse(File.ReadAllText(_dir["bootstrap.json"]))!["ietf-sztp-bootstrap-server:output"]!;
        Assert.NotNull(bootstrap["conveyed-information"]);
        Assert.NotNull(bootstrap["ownership-voucher"]);
        var openApi = JsonNode.Parse(File.ReadAllText(_dir["openapi.json"]))!;
        Assert.StartsWith("3.", openApi["openapi"]!.GetValue<string>());
        Assert.NotNull(openApi["paths"]!["/api/v1/fleet/{target}"]);
    }
}
