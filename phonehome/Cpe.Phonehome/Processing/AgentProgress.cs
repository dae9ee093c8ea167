using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cpe.Phonehome.Processing;

/// <summary>
/// What the agent has done, kept in <c>progress.json</c> in its state directory (docs/reference/phonehome.md): the
/// steps completed for the onboarding information with this digest, whether bootstrapping is complete, and what the
/// fleet check-in needs afterwards (the owner certificate that verifies the server's answers, the fleet revision).
/// </summary>
public sealed record AgentProgress
{
    /// <summary>SHA-256 of the verified conveyed information the completed steps belong to.</summary>
    public string? ConveyedDigest { get; init; }
    public string[] Completed { get; init; } = [];
    public string? RebootingInto { get; init; }
    public bool BootstrapComplete { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>The bootstrap server that onboarded the box: the fleet check-in goes there.</summary>
    public string? Server { get; init; }
    /// <summary>The owner certificate (CMS, base64 in JSON) the voucher pinned; it verifies signed check-in answers.</summary>
    public byte[]? OwnerCertificate { get; init; }
    /// <summary>The fleet configuration revision tried last (never tried again), and whether it still waits for confirmation.</summary>
    public long FleetRevision { get; init; }
    public bool FleetUnconfirmed { get; init; }

    /// <summary>
    /// The fleet revision the box runs, confirmed; null in a progress file written before this was kept, where the
    /// revision tried last stands for it unless it waited for confirmation.
    /// </summary>
    public long? FleetApplied { get; init; }

    /// <summary>The last fleet revision the box did not keep, and why, until a newer one is confirmed.</summary>
    public Cpe.Sztp.FleetRefusal? FleetRefused { get; init; }

    public long FleetRunning => FleetUnconfirmed ? FleetRevision : FleetApplied ?? FleetRevision;

    /// <summary>
    /// The firmware version last given up on (its bundle refused, or it fell back to the other slot), and why: never
    /// installed again by the agent, and reported at every check-in, until another version is wanted.
    /// </summary>
    public Cpe.Sztp.FirmwareFailure? FirmwareFailure { get; init; }

    /// <summary>The VNF packages ("NAME:VERSION") a fleet switch committed with "commit confirmed", until the next check-in confirms it.</summary>
    public string[]? VnfUnconfirmed { get; init; }

    /// <summary>VNF package versions given up on, and why (newest last, at most <see cref="Cpe.Sztp.VnfFailure.Kept"/>): never tried again, reported at every check-in.</summary>
    public Cpe.Sztp.VnfFailure[]? VnfFailures { get; init; }

    /// <summary>Records that the box gave up on these package versions, keeping the newest <see cref="Cpe.Sztp.VnfFailure.Kept"/>.</summary>
    public AgentProgress WithVnfFailures(IEnumerable<Cpe.Sztp.VnfFailure> failures)
    {
        var all = (VnfFailures ?? []).Concat(failures).ToList();
        return this with { VnfFailures = [.. all.Skip(Math.Max(0, all.Count - Cpe.Sztp.VnfFailure.Kept))] };
    }

    /// <summary>
    /// For the last few fleet revisions committed: the box's configuration revision (cped's id) that was active just
    /// before, which a deployment's rollback ("restore") puts back. At most <see cref="KeptBefore"/>, oldest dropped.
    /// </summary>
    public Dictionary<long, long>? ConfigBefore { get; init; }
    public const int KeptBefore = 16;

    /// <summary>Records what ran before fleet revision <paramref name="fleet"/>, dropping the oldest past <see cref="KeptBefore"/>.</summary>
    public AgentProgress WithBefore(long fleet, long active)
    {
        var map = new Dictionary<long, long>(ConfigBefore ?? []) { [fleet] = active };
        foreach (var old in map.Keys.Order().Take(Math.Max(0, map.Count - KeptBefore)).ToArray()) map.Remove(old);
        return this with { ConfigBefore = map };
    }
}

/// <summary>The progress file, written atomically (temporary file, fsync, rename) so a power cut leaves the old or the new one.</summary>
public sealed class ProgressFile(string stateDirectory)
{
    public string Path { get; } = System.IO.Path.Combine(stateDirectory, "progress.json");

    public AgentProgress Load()
    {
        if (!File.Exists(Path)) return new AgentProgress();
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(Path), AgentJsonContext.Default.AgentProgress) ?? new AgentProgress(); }
        catch (JsonException e) { throw new InvalidDataException($"{Path} is not a progress file: {e.Message}", e); }
    }

    public void Save(AgentProgress progress)
    {
        string temporary = Path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(file, progress, AgentJsonContext.Default.AgentProgress);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
    }

    public AgentProgress Update(Func<AgentProgress, AgentProgress> change)
    {
        var next = change(Load());
        Save(next);
        return next;
    }
}

[JsonSourceGenerationOptions(AllowDuplicateProperties = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(AgentProgress))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
