using System.Text;
using System.Text.RegularExpressions;

namespace Cpe.Cli.Link;

/// <summary>
/// When the laptop may say hello: only to a box whose console is there to answer. Bytes sent to a box that is booting
/// reach its firmware and boot loader as keys (systemd-boot shows its menu and waits when a key is pressed; OVMF's
/// setup opens on ESC), and a box must never stop there because a laptop was plugged in. So the laptop speaks first
/// only to a line that has been silent since it was opened (a console waiting at its prompt), after the box's plain
/// output ended in one of the console's prompts, or after the link was lost with nothing but frames heard since it
/// was last up (a pulled cable, not a reboot, whose messages come as plain text).
/// </summary>
public sealed partial class HelloPolicy
{
    public static readonly TimeSpan QuietStart = TimeSpan.FromSeconds(5);

    readonly long _openedAt;
    readonly StringBuilder _tail = new();
    bool _heardPlain, _atPrompt;
    long _lastPlainAt = long.MinValue;

    public HelloPolicy(long now) => _openedAt = now;

    /// <summary>Plain bytes from the box (whether linked or not).</summary>
    public void Heard(ReadOnlySpan<byte> plain, long now)
    {
        _heardPlain = true;
        _lastPlainAt = now;
        _tail.Append(Encoding.Latin1.GetString(plain));
        if (_tail.Length > 64) _tail.Remove(0, _tail.Length - 64);
        _atPrompt = Prompt().IsMatch(_tail.ToString());
    }

    /// <summary>The link was lost; <paramref name="lastFrameAt"/> is when the box's last frame came.</summary>
    public void LinkLost(long lastFrameAt)
    {
        _tail.Clear();
        _atPrompt = _lastPlainAt < lastFrameAt;
    }

    public bool MayHello(long now) => _atPrompt || (!_heardPlain && now - _openedAt >= QuietStart.TotalMilliseconds);

    /// <summary>What the console's prompts end with: the login, the password, the CLI's operational and configuration modes.</summary>
    [GeneratedRegex(@"(login: |Password: |[>#] )$")]
    private static partial Regex Prompt();
}
