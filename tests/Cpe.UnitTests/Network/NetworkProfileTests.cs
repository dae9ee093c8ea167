using Cpe.Config.Schema;
using Cpe.Network.Board;

namespace Cpe.UnitTests.Network;

public sealed class NetworkProfileTests : IDisposable
{
    readonly string _file = Path.GetTempFileName();
    public void Dispose() => File.Delete(_file);

    [Theory]
    [InlineData("""{"model":"x","ports":[{"name":"ge-0/0/0","netdev":"a"},{"name":"ge-0/0/1","netdev":"a"}]}""", "'a' is named by more than one port")]
    [InlineData("""{"model":"x","ports":[],"sriov":{"driver":"magic"}}""", "sriov driver 'magic' is neither 'kernel' nor 'emulated'")]
    [InlineData("""{"model":"x"}""", "not a board profile: no ports")]
    [InlineData("""{"model":""", "not a board profile: ")]
    public void A_bad_profile_is_refused_with_the_reason(string json, string reason)
    {
        File.WriteAllText(_file, json);
        var e = Assert.Throws<InvalidDataException>(() => NetworkProfile.Load(_file));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_profile_round_trips_and_names_its_wan_port()
    {
        var profile = new NetworkProfile("sim", [new("ge-0/0/0", "ge-0-0-0", "wan"), new("ge-0/0/1", "ge-0-0-1")],
            new SriovProfile("emulated", "/run/sim/sys", [new PhysicalFunction("sriov0")]));
        profile.Save(_file);
        var back = NetworkProfile.Load(_file);
        Assert.Equal("ge-0/0/0", back.Wan!.Name);
        Assert.Equal(["sriov0"], back.PhysicalFunctions);
        Assert.DoesNotContain("physicalFunctions", File.ReadAllText(_file));
    }

    [Theory]
    [InlineData("192.0.2.1/24", true)]
    [InlineData("2001:db8::1/64", true)]
    [InlineData("192.0.2.1", false)]
    [InlineData("192.0.2.1/33", false)]
    [InlineData("192.0.2.1/024", false)]
    [InlineData("192.0.2.1/0", false)]
    public void Interface_addresses_need_a_canonical_address_and_a_prefix_length(string text, bool valid)
    {
        Assert.Equal(valid, Types.IpPrefix.Parse(text) is not null);
    }
}
