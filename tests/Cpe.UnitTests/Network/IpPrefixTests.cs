using Cpe.Config.Schema;

namespace Cpe.UnitTests.Network;

[Trait("Kind", "Unit")]
public sealed class IpPrefixTests
{
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
