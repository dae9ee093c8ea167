using System.Text;
using Cpe.Cli.Link;

namespace Cpe.UnitTests.Cli;

/// <summary>The laptop says hello only to a console that can answer, never into a box's boot.</summary>
[Trait("Kind", "Unit")]
public class HelloPolicyTests
{
    static void Say(HelloPolicy p, string text, long at) => p.Heard(Encoding.ASCII.GetBytes(text), at);

    [Fact]
    public void A_line_silent_since_it_opened_is_a_console_at_its_prompt_after_a_while()
    {
        var p = new HelloPolicy(0);
        Assert.False(p.MayHello(1000));
        Assert.True(p.MayHello((long)HelloPolicy.QuietStart.TotalMilliseconds));
    }

    [Fact]
    public void A_booting_box_is_not_spoken_to_until_its_console_prompts()
    {
        var p = new HelloPolicy(0);
        Say(p, "\x1b[2J\x1b[01;01HBdsDxe: loading Boot0002 \"UEFI Misc Device\"\r\n", 500);
        Assert.False(p.MayHello(60_000));
        Say(p, "cpe: CPE firmware 1.0.0 on slot a\r\n\r\nWaiting for the platform (cped) to start...\r\n", 20_000);
        Assert.False(p.MayHello(60_000));
        Say(p, "\r\ncpe ", 21_000);
        Say(p, "login: ", 21_001);   // a prompt may come in pieces
        Assert.True(p.MayHello(21_002));
        Say(p, "\r\n[   12.3] reboot: Restarting system\r\n", 30_000);
        Assert.False(p.MayHello(31_000));
        foreach (string prompt in new[] { "Password: ", "ann@site-17> ", "root@cpe# " })
        {
            Say(p, "\r\n" + prompt, 40_000);
            Assert.True(p.MayHello(40_001), prompt);
        }
    }

    [Fact]
    public void A_lost_link_is_sought_again_unless_the_box_spoke_plain_text_since_its_last_frame()
    {
        var p = new HelloPolicy(0);
        Say(p, "ann@site-17> ", 1000);
        p.LinkLost(lastFrameAt: 5000);   // a pulled cable: frames until 5 s, nothing since
        Assert.True(p.MayHello(8000));

        var rebooting = new HelloPolicy(0);
        Say(rebooting, "ann@site-17> ", 1000);
        Say(rebooting, "\x1b[2J\x1b[01;01H", 6000);   // the firmware's first output after the box reset
        rebooting.LinkLost(lastFrameAt: 5000);
        Assert.False(rebooting.MayHello(9000));
    }
}
