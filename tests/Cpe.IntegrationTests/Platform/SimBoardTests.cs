using Cpe.Board.Profile;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>"cpe-sim net up" makes the simulated board's network and "net down" removes every trace of it.</summary>
[Trait("Kind", "Integration")]
public sealed class SimBoardTests
{
    static bool Exists(string ns) => File.Exists($"/run/netns/{ns}");

    [Fact]
    public void Up_makes_namespaces_ports_the_emulated_pf_dnsmasq_and_the_profile_and_down_removes_them()
    {
        int dnsmasq;
        string box, lan, wan, dir;
        using (var sim = new SimBoard(lanPorts: 2, totalVfs: 5))
        {
            (box, lan, wan, dir) = (sim.Box, sim.Lan, sim.Wan, sim.Directory);
            Assert.True(Exists(box) && Exists(lan) && Exists(wan));
            var links = sim.IpJson("-d", "link", "show").ToDictionary(l => l!["ifname"]!.GetValue<string>(), l => l!);
            Assert.Equal(["ge-0-0-0", "ge-0-0-1", "ge-0-0-2", "lo", "sriov0"], links.Keys.Order());
            Assert.All(new[] { "ge-0-0-0", "ge-0-0-1", "ge-0-0-2", "sriov0" }, n => Assert.Equal("veth", links[n]["linkinfo"]!["info_kind"]!.GetValue<string>()));
            Assert.Contains("192.0.2.1/24", Command.Run("ip", ["-n", wan, "-br", "addr", "show", "wan0"]));

            var profile = Cpe.Board.Profile.BoardProfileLoader.Load(sim.ProfilePath).Network;
            Assert.Equal(["ge-0/0/0:ge-0-0-0:wan", "ge-0/0/1:ge-0-0-1:lan", "ge-0/0/2:ge-0-0-2:lan"], profile.Ports.Select(p => $"{p.Name}:{p.Netdev}:{p.Role}"));
            Assert.Equal(("emulated", sim.SysfsRoot), (profile.Sriov!.Driver, profile.Sriov.SysfsRoot));
            Assert.Equal("5", File.ReadAllText(Path.Combine(sim.SysfsRoot, "class/net/sriov0/device/sriov_totalvfs")));

            dnsmasq = int.Parse(File.ReadAllText(Path.Combine(sim.Directory, "dnsmasq.pid")).Trim());
            Assert.True(Directory.Exists($"/proc/{dnsmasq}"), "dnsmasq runs");

            var again = Command.Run(Binaries.SimBoard, ["net", "up", "--name", sim.Name, "--dir", sim.Directory + "-2"], check: false);
            Assert.Equal("", again);   // refused, on standard error
            Assert.True(Exists(box), "a refused second 'up' leaves the first board alone");
        }
        Assert.False(Exists(box) || Exists(lan) || Exists(wan));
        Assert.False(Directory.Exists(dir));
        for (int i = 0; i < 100 && Directory.Exists($"/proc/{dnsmasq}"); i++) Thread.Sleep(20);
        Assert.False(Directory.Exists($"/proc/{dnsmasq}"), "dnsmasq is gone");
    }
}
