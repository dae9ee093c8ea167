using System.Text;
using Cpe.Api;

namespace Cpe.Cli.Shell;

// "show system software", "request system software add|rollback", "request system reboot slot other"
// (docs/guides/cli.md, "Firmware").
public sealed partial class CliShell
{
    async Task<string> RequestSoftwareAsync(List<string> words, CancellationToken ct)
    {
        if (words.Count == 0) throw new CliException("syntax error: 'request system software' needs one of: add, rollback");
        string what = Keyword.Resolve(words[0], ["add", "rollback"], "after 'request system software'");
        if (what == "rollback")
        {
            bool now = words.Count > 1 && Keyword.Resolve(words[1], ["reboot"], "after 'request system software rollback'") == "reboot";
            if (now && !Confirm("Reboot into the other slot now?", defaultYes: false)) return "";
            return (await api.RollbackSoftwareAsync(now, ct)).Message + "\n";
        }
        if (words.Count is < 2 or > 3) throw new CliException("syntax error: 'request system software add <file|url> [reboot]'");
        bool reboot = words.Count == 3 && Keyword.Resolve(words[2], ["reboot"], "after the bundle") == "reboot";
        var started = await api.InstallSoftwareAsync(words[1], reboot, ct);
        io.Write(started.Message + "\n");
        return await FollowInstallAsync(reboot, ct);
    }

    /// <summary>Shows the install's progress until it ends (the writing runs in cped: leaving the CLI does not stop it).</summary>
    async Task<string> FollowInstallAsync(bool reboot, CancellationToken ct)
    {
        int shown = -10;   // so that 0 % is shown too
        while (true)
        {
            SoftwareStatus status;
            try { status = await api.SoftwareStatusAsync(ct); }
            catch (ApiConnectionLostException) when (reboot) { return "The box is rebooting into the new firmware.\n"; }
            if (status.Install is not { } i) return "";
            if (i.State is "installed") return $"Installed {i.Version} in slot {i.Slot}: {i.BytesDownloaded} bytes downloaded, {i.BytesReused} bytes copied from the running slot.\n"
                + (reboot ? "Rebooting into it.\n" : $"It runs after the next reboot ('request system reboot'); until it passes its health check, slot {status.BootedSlot} stays the fallback.\n");
            if (i.State is "failed") return $"Install failed: {i.Error}\n";
            int percent = i.Chunks == 0 ? 0 : i.ChunksDone * 100 / i.Chunks;
            if (percent / 10 != shown / 10)
            {
                io.Write($"  {i.State}: {percent}% ({i.ChunksDone} of {i.Chunks} chunks)\n");
                shown = percent;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    async Task<string> RebootSlotAsync(List<string> words, CancellationToken ct)
    {
        if (words.Count != 2) throw new CliException("syntax error: 'request system reboot slot other'");
        Keyword.Resolve(words[0], ["slot"], "after 'request system reboot'");
        Keyword.Resolve(words[1], ["other"], "after 'request system reboot slot'");
        if (!Confirm("Reboot into the other slot?", defaultYes: false)) return "";
        return (await api.BootOtherSlotAsync(ct)).Message + "\n";
    }

    /// <summary>"show system software", times written by <paramref name="time"/> (the session's zone).</summary>
    public static string FormatSoftware(SoftwareStatus s, Func<DateTimeOffset, string> time)
    {
        var sb = new StringBuilder();
        sb.Append($"Running:  {s.RunningVersion} from slot {s.BootedSlot} ({s.Health})\n");
        sb.Append($"Anti-rollback floor: {s.Floor}\n");
        sb.Append("Slot  State       Version        Tries left  Installed\n");
        foreach (var slot in s.Slots)
            sb.Append($"{slot.Slot + (slot.Booted ? "*" : ""),-5} {slot.State,-11} {slot.Version ?? "-",-14} {(slot.TriesLeft is int left ? $"{left} ({slot.TriesDone ?? 0} used)" : "-"),-11} {(slot.InstalledAt is { } t ? time(t) : "-")}\n");
        foreach (var slot in s.Slots.Where(x => x.Failure is not null)) sb.Append($"Slot {slot.Slot} failed: {slot.Failure}\n");
        if (s.Install is { } i)
        {
            // One fact a line, so that each fits 80 columns (the source's URL is the long one).
            sb.Append($"Install:  {i.State} {i.Version} into slot {i.Slot}\n");
            sb.Append($"  From:     {i.Source}\n");
            sb.Append($"  Chunks:   {i.ChunksDone} of {i.Chunks}, {i.BytesDownloaded} bytes downloaded, {i.BytesReused} reused\n");
            if (i.WrittenSeconds is double w) sb.Append($"  Written:  {w:0.00} s, every chunk checked\n");
            if (i.Error is not null) sb.Append($"  Error:    {i.Error}\n");
        }
        if (s.LastFallback is { } f)
        {
            sb.Append($"Last fallback: {time(f.At)}: slot {f.FromSlot} ({f.FromVersion}) failed {f.Attempts} tries, back on slot {f.ToSlot} ({f.ToVersion})\n");
            sb.Append($"  Reason: {f.Reason}\n");
            foreach (var line in f.LogTail.TakeLast(5)) sb.Append($"  | {line}\n");
        }
        return sb.ToString();
    }
}
