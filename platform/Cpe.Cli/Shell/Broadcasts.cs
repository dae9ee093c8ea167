using Cpe.Api;

namespace Cpe.Cli.Shell;

/// <summary>
/// Which of the box's events every interactive CLI session is told about as they happen, as Junos broadcasts
/// ("Message from syslogd"): an automatic rollback of an unconfirmed commit, a commit by zero-touch or the fleet
/// (to a session in configuration mode, whose candidate it may conflict with), a fallback to the other firmware
/// slot, and a reboot or power-off. Rare events that change what the technician works on, not progress reports:
/// zero-touch's stages belong on the console line itself, not in every session.
/// </summary>
public static class Broadcasts
{
    /// <summary>
    /// Writes what <paramref name="messageFor"/> makes of each of the box's events above the line being typed, until
    /// cancelled or cped goes away: the CLI's broadcasts, and zero-touch's stages at the console's login prompt.
    /// </summary>
    public static async Task ShowAsync(ApiClient api, LineEditor editor, Func<ApiEvent, string?> messageFor, CancellationToken ct)
    {
        try
        {
            await foreach (var e in api.EventsAsync(ct))
                if (messageFor(e) is string message) editor.Interject(message);
        }
        // A message that cannot be shown (the session or the prompt ends, cped went away) never takes them down.
        catch (Exception) { }
    }

    /// <summary>The text to show for <paramref name="e"/>, or null when this session need not be told.</summary>
    public static string? MessageFor(ApiEvent e, bool configuring)
    {
        switch (e.Type)
        {
            case "commit-confirmed-expired":
                return e.Text + "\n'show system commit' shows the revision restored; 'show | compare' in configuration mode shows what the candidate still holds";
            case "commit" when configuring && (e.Text.Contains(" via ztp", StringComparison.Ordinal) || e.Text.Contains(" via fleet", StringComparison.Ordinal)):
                return e.Text + "\n'show | compare' shows it against the candidate; 'update' merges the candidate's changes onto it";
            case "firmware-fallback" or "power":
                return e.Text;
            default:
                return null;
        }
    }
}
