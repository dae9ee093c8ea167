namespace Cpe.Api;

/// <summary>One firmware slot as show system software gives it.</summary>
public sealed record SlotInfo(string Slot, string State, string? Version, bool Booted, int? TriesLeft, int? TriesDone, DateTimeOffset? InstalledAt, string? Failure);

/// <summary>An install that runs or ran since cped started.</summary>
public sealed record InstallInfo(string State, string? Version, string Slot, int ChunksDone, int Chunks, long BytesDownloaded, long BytesReused, string? Error, string Source)
{
    /// <summary>Seconds writing the slot and checking its hashes took, once they passed.</summary>
    public double? WrittenSeconds { get; init; }
}

/// <summary>A fallback the running slot recorded: which slot failed, how often, and why.</summary>
public sealed record FallbackInfo(string FromSlot, string FromVersion, string ToSlot, string ToVersion, int Attempts, string Reason, string[] LogTail, DateTimeOffset At);

/// <summary>image.status: both slots, the anti-rollback floor, the install in progress and the last fallback.</summary>
public sealed record SoftwareStatus(string BootedSlot, string RunningVersion, string Floor, SlotInfo[] Slots, InstallInfo? Install, FallbackInfo? LastFallback, string? Health);

/// <summary>
/// image.install: a bundle by URL (http, https) or a file on the box; reboot into it once installed. <c>Sha256</c>,
/// when given, is the whole bundle file's SHA-256 (as zero-touch and fleet check-in answers name it): a bundle that
/// is not that file is refused before its slot is tried.
/// </summary>
public sealed record InstallParams(string Location, bool Reboot)
{
    public string? Sha256 { get; init; }
}

/// <summary>image.rollback and image.boot-other: reboot at once, or only choose the slot for the next boot.</summary>
public sealed record SlotChoiceParams(bool Reboot);
