using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cpe.VendorServer.Deployments;

/// <summary>
/// A deployment as the operator asks for it (docs/reference/vendor-admin-api.md, "Deployments"): what (a configuration,
/// a firmware image, VNF package versions, or a combination), to whom (<see cref="Target"/>), and how (phases with bake times, an error threshold that
/// halts it, a rate limit, a per-site download limit, a maintenance window in each site's time zone).
/// </summary>
public sealed record DeploymentSpec(string Name, DeploymentTarget Target)
{
    /// <summary>cped's configuration document, applied with <see cref="Handling"/> (merge or replace) as a new fleet revision.</summary>
    public JsonObject? Configuration { get; init; }
    public string? Handling { get; init; }

    /// <summary>A firmware image by its uploaded name (PUT /images/{name}).</summary>
    public string? Firmware { get; init; }

    /// <summary>VNF package versions from the repository (PUT /vnf-packages/{name}/{version}): each VNF that runs the package moves to this version.</summary>
    public VnfVersion[]? Vnfs { get; init; }

    /// <summary>The phases in order; null: the automatic split (one device, then 10 %, then the rest).</summary>
    public PhaseSpec[]? Phases { get; init; }

    // The optional settings are nullable with their defaults read through the properties below: System.Text.Json's
    // source generator sets every init-only property it binds, so an initializer's default would be lost when absent.

    /// <summary>The bake time of the automatic split's phases, and of a phase that names none (default 600 s).</summary>
    public int? BakeSeconds { get; init; }
    [JsonIgnore] public int Bake => BakeSeconds ?? 600;

    /// <summary>Default: one failed device halts the deployment.</summary>
    public ErrorThreshold? ErrorThreshold { get; init; }
    [JsonIgnore] public ErrorThreshold Threshold => ErrorThreshold ?? new(Count: 1);

    /// <summary>When the threshold halts the deployment, the current phase's devices go back to the versions they ran before.</summary>
    public bool RollbackOnHalt { get; init; }

    /// <summary>At most this many devices start the update per minute (null: no limit).</summary>
    public int? RatePerMinute { get; init; }

    /// <summary>At most this many devices of one site download firmware at once (null: no limit).</summary>
    public int? SiteConcurrentDownloads { get; init; }

    /// <summary>When devices may start the update, in each device's site's own time zone (null: any time).</summary>
    public MaintenanceWindowSpec? Window { get; init; }

    /// <summary>Alarm types that count as unhealthy during the bake time besides any new major or critical alarm (e.g. "link-down").</summary>
    public string[]? UnhealthyAlarms { get; init; }
    [JsonIgnore] public string[] Unhealthy => UnhealthyAlarms ?? [];

    /// <summary>A device that started and has not reached the new versions after this long has failed (default 60).</summary>
    public int? DeviceTimeoutMinutes { get; init; }
    [JsonIgnore] public int TimeoutMinutes => DeviceTimeoutMinutes ?? 60;
}

/// <summary>
/// Which devices: every field given must match (a group, a list of serial numbers, a site, a model, the firmware version
/// they report, labels they all carry). At least one is given.
/// </summary>
public sealed record DeploymentTarget(string? Group = null, string[]? Serials = null, string? Site = null, string? Model = null,
    string? OsVersion = null, string[]? Labels = null);

/// <summary>A VNF package version: the package's name ("firewall") and version ("1.2.0").</summary>
public sealed record VnfVersion(string Name, string Version)
{
    [JsonIgnore] public string Reference => Cpe.Sztp.VnfPackageReference.Of(Name, Version);
}

/// <summary>A phase: a number of devices or a percentage of the target (rounded up, at least one), and how long each bakes.</summary>
public sealed record PhaseSpec(int? Count = null, double? Percent = null, int? BakeSeconds = null);

/// <summary>Halts the deployment: this many failed devices in the current phase, or this percentage of its finished ones once at least <c>MinimumSample</c> finished.</summary>
public sealed record ErrorThreshold(int? Count = null, double? Percent = null, int MinimumSample = 1);


/// <summary>Daily, from <c>Start</c> to <c>End</c> ("HH:MM", crossing midnight when End is earlier), on <c>Days</c> (mon..sun; null: every day), in the site's time zone.</summary>
public sealed record MaintenanceWindowSpec(string Start, string End, string[]? Days = null, string DefaultTimeZone = "UTC");

/// <summary>Checks of a deployment request: a mistake is a 400 when it is made, not a stuck rollout later.</summary>
public static class DeploymentCheck
{
    public static string? Problem(DeploymentSpec s)
    {
        if (AdminInput.NameProblem(s.Name, "name") is string name) return name;
        if (s.Configuration is null && s.Firmware is null && s.Vnfs is null) return "a deployment carries a configuration, a firmware image, VNF packages, or a combination";
        if (s.Vnfs is { Length: 0 or > 16 }) return "vnfs lists 1 to 16 VNF packages";
        foreach (var v in s.Vnfs ?? [])
        {
            if (AdminInput.NameProblem(v.Name, "a VNF package name") is string badName) return "vnfs: " + badName;
            if (AdminInput.NameProblem(v.Version, "a VNF package version") is string badVersion) return "vnfs: " + badVersion;
        }
        if (s.Vnfs?.DistinctBy(v => v.Name).Count() < s.Vnfs?.Length) return "vnfs names each package once";
        if (s.Handling is not (null or "merge" or "replace")) return "handling must be merge or replace";
        if (s.Configuration is not null && AdminInput.ConfigurationProblem(s.Configuration) is string config) return config;
        var t = s.Target;
        if (t.Group is null && t.Serials is null && t.Site is null && t.Model is null && t.OsVersion is null && t.Labels is null)
            return "target names at least one of group, serials, site, model, osVersion, labels";
        if (t.Serials is { Length: 0 or > 100_000 }) return "target.serials lists 1 to 100000 serial numbers";
        if (t.Labels is { Length: 0 or > 32 } || t.Labels?.Any(l => LabelProblem(l) is not null) == true) return "target.labels lists 1 to 32 labels, each " + LabelRule;
        if (s.Phases is { Length: 0 or > 20 }) return "phases lists 1 to 20 phases (or is left out for the automatic split)";
        foreach (var p in s.Phases ?? [])
        {
            if ((p.Count is null) == (p.Percent is null)) return "each phase gives count or percent";
            if (p.Count is < 1) return "a phase's count is at least 1";
            if (p.Percent is not null && (p.Percent <= 0 || p.Percent > 100 || double.IsNaN(p.Percent.Value))) return "a phase's percent is above 0 and at most 100";
            if (p.BakeSeconds is < 0 or > 7 * 86400) return "a phase's bakeSeconds is 0 to 604800";
        }
        if (s.BakeSeconds is < 0 or > 7 * 86400) return "bakeSeconds is 0 to 604800";
        var e = s.Threshold;
        if ((e.Count is null) == (e.Percent is null)) return "errorThreshold gives count or percent";
        if (e.Count is < 1 || e.Percent is <= 0 or > 100 || e.MinimumSample < 1) return "errorThreshold: count at least 1, percent above 0 and at most 100, minimumSample at least 1";
        if (s.RatePerMinute is < 1 or > 1_000_000) return "ratePerMinute is 1 to 1000000";
        if (s.SiteConcurrentDownloads is < 1 or > 10_000) return "siteConcurrentDownloads is 1 to 10000";
        if (s.DeviceTimeoutMinutes is < 1 or > 7 * 1440) return "deviceTimeoutMinutes is 1 to 10080";
        if (s.Unhealthy.Length > 32 || s.Unhealthy.Any(a => AdminInput.NameProblem(a, "an alarm type") is not null)) return "unhealthyAlarms lists up to 32 alarm types";
        if (s.Window is { } w && MaintenanceWindow.Problem(w) is string window) return window;
        return null;
    }

    const string LabelRule = "1 to 64 letters, digits, '.', '_', '-', ':' or '='";

    /// <summary>Labels are matched as whole words in a comma-separated column: no commas, nothing a LIKE pattern treats specially.</summary>
    public static string? LabelProblem(string label) =>
        label is { Length: >= 1 and <= 64 } && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '=') ? null : "a label is " + LabelRule;
}
