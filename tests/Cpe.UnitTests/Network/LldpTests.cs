using Cpe.Network.Lldp;
using Cpe.TestKit;

namespace Cpe.UnitTests.Network;

[Trait("Kind", "Unit")]
public sealed class LldpTests
{
    static byte[] Frame(int ttl = 120, string system = "access-sw-3", string port = "ge-0/0/12") => LldpFrames.Switch(ttl, system, port);
    static byte[] Tlv(int type, params byte[] value) => LldpFrames.Tlv(type, value);

    [Fact]
    public void A_switch_s_LLDPDU_reads_as_it_was_sent()
    {
        Assert.Equal(new LldpAdvertisement("02:11:22:33:44:55", "ge-0/0/12", 120, "to the CPE at desk 4", "access-sw-3", "Example Switch OS 9.1", "192.0.2.9"),
            LldpFrame.Parse(Frame()));
    }

    [Fact]
    public void A_malformed_LLDPDU_is_ignored_and_a_neighbour_s_control_characters_are_escaped()
    {
        var frame = Frame();
        Assert.Null(LldpFrame.Parse(frame[..^2]));                        // no End TLV
        Assert.Null(LldpFrame.Parse(frame[..20]));                         // cut inside a TLV
        Assert.Null(LldpFrame.Parse([.. frame[..14], .. Tlv(2, [5, 0x41]), .. Tlv(1, [4, 1, 2, 3, 4, 5, 6]), .. Tlv(3, [0, 1]), .. Tlv(0)]));   // out of order
        var other = frame.ToArray();
        other[13] = 0x00;
        Assert.Null(LldpFrame.Parse(other));                               // not LLDP's EtherType
        Assert.Equal("evil\\x1b[2Jname", LldpFrame.Parse(Frame(system: "evil\u001b[2Jname"))!.SystemName);
    }

    [Fact]
    public void The_table_keeps_each_neighbour_until_its_TTL_or_its_shutdown_and_stays_bounded()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-12-07T04:00:00Z"));
        var table = new LldpTable(clock);
        table.Hear("ge-0-0-1", Frame(ttl: 30));
        table.Hear("ge-0-0-1", Frame(ttl: 30));   // heard again: one entry
        Assert.Single(table.Neighbors());
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Empty(table.Neighbors());

        table.Hear("ge-0-0-2", Frame());
        table.Hear("ge-0-0-2", Frame(ttl: 0));    // the neighbour's shutdown
        Assert.Empty(table.Neighbors());

        for (int i = 0; i < 1000; i++) table.Hear("ge-0-0-1", Frame(ttl: 100 + i, port: $"p{i}"));
        var kept = table.Neighbors();
        Assert.Equal(LldpTable.MaxNeighbors, kept.Count);
        Assert.Contains(kept, n => n.Advertisement.PortId == "p999");     // the newest stay; the ones closest to expiry gave way
        Assert.DoesNotContain(kept, n => n.Advertisement.PortId == "p0");
    }
}
