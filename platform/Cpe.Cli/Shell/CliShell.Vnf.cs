using System.Globalization;
using System.Text;
using Cpe.Api;

namespace Cpe.Cli.Shell;

// "show vnf", "show chain" and "request vnf" (docs/guides/cli.md).
public sealed partial class CliShell
{
    static readonly string[] VnfForms = ["detail", "log", "package", "resources"];

    async Task<string> ShowVnfAsync(List<string> words, CancellationToken ct)
    {
        if (words.Count > 2) throw new CliException($"syntax error: unexpected '{words[2]}'");
        // "show vnf", "show vnf package", "show vnf detail", "show vnf fw", "show vnf fw detail": a keyword wins over a name.
        string? name = null, form = null;
        if (words.Count == 2) (name, form) = (words[0], Keyword.Resolve(words[1], VnfForms, $"after 'show vnf {words[0]}'"));
        else if (words.Count == 1 && VnfForms.Any(f => f.StartsWith(words[0], StringComparison.Ordinal))) form = Keyword.Resolve(words[0], VnfForms, "after 'show vnf'");
        else if (words.Count == 1) name = words[0];
        if (form == "package") return Packages(await api.VnfPackagesAsync(ct));
        if (form == "log")
        {
            if (name is null) throw new CliException("syntax error: 'show vnf NAME log'");
            return string.Concat((await api.VnfLogAsync(name, 50, ct)).Select(l => $"{l.Instance}:\n" + string.Concat(l.Lines.Select(x => $"  {x}\n"))));
        }
        var vnfs = await api.VnfsAsync(name, ct);
        return form switch
        {
            "detail" => string.Concat(vnfs.Select(VnfDetail)),
            "resources" => VnfResources(vnfs),
            _ => VnfSummary(vnfs),
        };
    }

    string VnfSummary(VnfInstanceInfo[] vnfs)
    {
        var sb = new StringBuilder("Instance         Package              State      PID      Restarts  Since\n");
        foreach (var v in vnfs)
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"{v.Instance,-16} {v.Package,-20} {v.State,-10} {(v.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-"),-8} {v.Restarts,-9} {Time(v.Since)}\n"));
        return sb.ToString();
    }

    string VnfDetail(VnfInstanceInfo v)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Instance: {v.Instance} (VNF {v.Vnf}), package {v.Package}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  State: {v.State} since {Time(v.Since)}{(v.Pid is int p ? $", PID {p}" : "")}, restarts {v.Restarts}\n");
        if (v.Message is not null) sb.Append(CultureInfo.InvariantCulture, $"  Reason: {v.Message}\n");
        if (v.LastExit is not null) sb.Append(CultureInfo.InvariantCulture, $"  Last exit: {v.LastExit}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  Limits: {v.Cpus:0.##} CPU, {Mib(v.MemoryLimitBytes)} memory, {v.PidsLimit} processes\n");
        if (v.MemoryBytes is long m) sb.Append(CultureInfo.InvariantCulture, $"  Usage: {v.CpuSeconds:0.00} s CPU, {Mib(m)} memory, {v.Processes} processes\n");
        sb.Append(CultureInfo.InvariantCulture, $"  Network namespace: {v.NetworkNamespace}\n");
        foreach (var i in v.Interfaces)
            sb.Append(CultureInfo.InvariantCulture, $"  Interface {i.Name} ({i.Role}): MAC {i.Mac}, {(i.Vf is { } vf ? $"SR-IOV VF {vf}" : $"host side {i.HostDevice}")}\n");
        return sb.ToString();
    }

    static string VnfResources(VnfInstanceInfo[] vnfs)
    {
        var sb = new StringBuilder("Instance         CPU s     Memory             Processes\n");
        foreach (var v in vnfs)
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"{v.Instance,-16} {(v.CpuSeconds is double c ? c.ToString("0.00", CultureInfo.InvariantCulture) : "-"),-9} {(v.MemoryBytes is long m ? Mib(m) : "-") + " / " + Mib(v.MemoryLimitBytes),-18} {(v.Processes?.ToString(CultureInfo.InvariantCulture) ?? "-")} / {v.PidsLimit}\n"));
        return sb.ToString();
    }

    string Packages(VnfPackageInfo[] packages)
    {
        var sb = new StringBuilder("Package                    Added                    Size       Used by\n");
        foreach (var p in packages)
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"{p.Name + ":" + p.Version,-26} {Time(p.AddedAt),-24} {Mib(p.BlobBytes + p.RootFsBytes),-10} {(p.UsedBy.Count == 0 ? "-" : string.Join(",", p.UsedBy))}\n  {p.ManifestDigest}, signed by {p.Signer}\n"));
        return sb.ToString();
    }

    static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1 << 20):0.#} MiB");

    async Task<string> ShowChainAsync(List<string> words, CancellationToken ct)
    {
        if (words.Count > 1) throw new CliException($"syntax error: unexpected '{words[1]}'");
        var chains = (await api.ChainsAsync(ct)).Where(c => words.Count == 0 || c.Name == words[0]).ToList();
        if (words.Count == 1 && chains.Count == 0) throw new CliException($"no chain {words[0]} is configured");
        var sb = new StringBuilder();
        foreach (var c in chains)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Chain: {c.Name}, {c.Ingress} -> {c.Egress}, match {c.Match}, bypass {c.Bypass}\n");
            sb.Append("  Hop  Instance         State      Fwd in     Fwd out    Ret in     Ret out\n");
            int n = 1;
            foreach (var hop in c.Hops)
            {
                foreach (var r in hop.Replicas)
                    sb.Append(string.Create(CultureInfo.InvariantCulture, $"  {n,-4} {r.Instance,-16} {r.State,-10} {r.ForwardIn,-10} {r.ForwardOut,-10} {r.ReturnIn,-10} {r.ReturnOut}\n"));
                if (hop.Bypassed) sb.Append(CultureInfo.InvariantCulture, $"  {n,-4} {hop.Vnf} has no replica running: {(c.Bypass == "fail-open" ? "bypassed" : "traffic dropped")}\n");
                n++;
            }
        }
        return sb.ToString();
    }

    /// <summary>"request vnf start|stop|restart NAME", "request vnf package add FILE|URL", "request vnf package delete REF".</summary>
    async Task<string> RequestVnfAsync(List<string> words, CancellationToken ct)
    {
        const string Syntax = "syntax error: 'request vnf start|stop|restart NAME' or 'request vnf package add FILE|URL|delete NAME[:VERSION]'";
        if (words.Count < 2) throw new CliException(Syntax);
        string action = Keyword.Resolve(words[0], ["package", "restart", "start", "stop"], "after 'request vnf'");
        if (action == "package")
        {
            if (words.Count != 3) throw new CliException(Syntax);
            string what = Keyword.Resolve(words[1], ["add", "delete"], "after 'request vnf package'");
            if (what == "delete")
            {
                await api.VnfPackageDeleteAsync(words[2], ct);
                return $"{words[2]} deleted\n";
            }
            var added = await api.VnfPackageAddAsync(words[2], ct);
            return $"{added.Name}:{added.Version} added ({added.ManifestDigest}), signed by {added.Signer}\n";
        }
        if (words.Count != 2) throw new CliException(Syntax);
        _ = action switch
        {
            "start" => await api.VnfStartAsync(words[1], ct),
            "stop" => await api.VnfStopAsync(words[1], ct),
            _ => await api.VnfRestartAsync(words[1], ct),
        };
        return $"{words[1]}: {action} requested\n";
    }
}
