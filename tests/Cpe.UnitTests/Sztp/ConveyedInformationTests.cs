using System.Text;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.UnitTests.Sztp;

/// <summary>Conveyed information against the RFC authors' examples (copied from ../shared/spec/sztp) and the module's rules.</summary>
[Trait("Kind", "Unit")]
public sealed class ConveyedInformationTests
{
    static byte[] Example(string name) =>
        File.ReadAllBytes(Path.Combine(Binaries.RepositoryRoot, "tests", "Cpe.UnitTests", "Sztp", "rfc8572-examples", $"example-{name}-information.json"));

    [Fact]
    public void The_rfc_examples_parse_and_round_trip()
    {
        var onboarding = Assert.IsType<ConveyedInformation.Onboarding>(ConveyedInformation.Parse(Example("onboarding")));
        Assert.Equal(("VendorOS", "17.2R1.6", "merge"), (onboarding.BootImage!.OsName, onboarding.BootImage.OsVersion, onboarding.ConfigurationHandling));
        Assert.Equal(["http://some/path/to/raw/file"], onboarding.BootImage.DownloadUris);
        Assert.Equal("baeccfa56782b41077c667a622ab7d5004a78b8f0edb028bf47555fbc113b233", Convert.ToHexStringLower(onboarding.BootImage.Verification.Single().Value));
        var again = Assert.IsType<ConveyedInformation.Onboarding>(ConveyedInformation.Parse(onboarding.ToJson()));
        Assert.Equal(onboarding.Configuration, again.Configuration);
        Assert.Equal(onboarding.BootImage.Verification.Single().Value, again.BootImage!.Verification.Single().Value);
        Assert.Contains("\"hash-algorithm\":\"ietf-sztp-conveyed-info:sha-256\"", Encoding.UTF8.GetString(onboarding.ToJson()));

        var redirect = Assert.IsType<ConveyedInformation.Redirect>(ConveyedInformation.Parse(Example("redirect")));
        Assert.Equal(["sztp1.example.com:8443", "sztp2.example.com:8443", "sztp3.example.com:8443"], redirect.Servers.Select(s => $"{s.Address}:{s.Port}"));
        Assert.Equal(redirect.Servers.Select(s => s.Address), ((ConveyedInformation.Redirect)ConveyedInformation.Parse(redirect.ToJson())).Servers.Select(s => s.Address));
    }

    [Theory]
    [InlineData("""{"ietf-sztp-conveyed-info:redirect-information":{"bootstrap-server":[]}}""", "redirect-information needs at least one bootstrap-server")]
    [InlineData("""{"ietf-sztp-conveyed-info:redirect-information":{"bootstrap-server":[{"port":443}]}}""", "bootstrap-server needs an address")]
    [InlineData("""{"ietf-sztp-conveyed-info:redirect-information":{"bootstrap-server":[{"address":"a","port":70000}]}}""", "bootstrap-server port 70000 is out of range")]
    [InlineData("""{"ietf-sztp-conveyed-info:onboarding-information":{"configuration":"e30="}}""", "configuration needs configuration-handling")]
    [InlineData("""{"ietf-sztp-conveyed-info:onboarding-information":{"configuration-handling":"append"}}""", "configuration-handling 'append' is neither merge nor replace")]
    [InlineData("""{"ietf-sztp-conveyed-info:onboarding-information":{"colour":"red"}}""", "onboarding-information has an unknown node 'colour'")]
    [InlineData("""{"ietf-sztp-conveyed-info:onboarding-information":{"boot-image":{"image-verification":[{"hash-algorithm":"sha-256","hash-value":"ab:cd"}]}}}""", "a sha-256 hash-value has 32 bytes, not 2")]
    [InlineData("""{"ietf-sztp-conveyed-info:onboarding-information":{"configuration-handling":"merge","configuration":"not base64!"}}""", "configuration is not base64")]
    [InlineData("""{"other:thing":{}}""", "has an unknown top-level node 'other:thing'")]
    [InlineData("""[1]""", "is not a JSON object")]
    public void What_the_module_forbids_is_refused_naming_the_node(string json, string message)
    {
        var e = Assert.Throws<SztpVerificationException>(() => ConveyedInformation.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal("conveyed information: " + message, e.Message);
    }

    [Fact]
    public void Unsigned_conveyed_information_is_a_bare_content_info_and_signed_data_is_told_apart()
    {
        var content = new ConveyedInformation.Redirect([new RedirectServer("192.0.2.10", 8443)]).ToJson();
        var (type, octets) = Cms.ReadContentInfo(Cms.Unsigned(content), "conveyed information");
        Assert.Equal(SztpOids.ConveyedInfoJson, type);
        Assert.Equal(content, octets);
        var fixture = new SztpFixture();
        Assert.Equal(SztpOids.SignedData, Cms.ReadContentInfo(fixture.Conveyed(), "conveyed information").ContentType);
        Assert.Throws<SztpVerificationException>(() => Cms.ReadContentInfo([0x30, 0x03, 0x06, 0x01], "conveyed information"));
    }
}
