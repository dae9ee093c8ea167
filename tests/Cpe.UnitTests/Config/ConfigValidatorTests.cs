using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.UnitTests.Config;

[Trait("Kind", "Unit")]
public class ConfigValidatorTests
{
    static IReadOnlyList<ConfigError> Validate(string json) => ConfigValidator.Validate(ConfigDocument.Parse(json));

    [Fact]
    public void A_valid_document_has_no_errors() =>
        Assert.Empty(Validate("""
            {"schema-version":1,"system":{"host-name":"site-17","domain-name":"example.net","time-zone":"Europe/Paris",
             "ntp":{"server":["192.0.2.1","ntp.example.net"]},
             "syslog":{"host":[{"name":"192.0.2.9","port":514,"transport":"udp","severity":"warning"}]},
             "login":{"banner":"Authorised use only\n","user":[{"name":"ann","class":"admin"}]}},
             "interfaces":{},"bridges":{},"sriov":{},"vnfs":{},"chains":{},"phone-home":{}}
            """));

    [Fact]
    public void Every_error_is_reported_with_its_path_and_rule()
    {
        var errors = Validate("""
            {"system":{"host-name":"bad name","time-zone":"Mars/Base","ntp":{"server":["not an address!"]},
             "syslog":{"host":[{"name":"192.0.2.9","port":70000}]},
             "login":{"user":[{"name":"ann"},{"name":"ann","class":"root"}]},"colour":"blue"},
             "vnfs":{"vnf":[{"name":"fw","cpus":"two"}]}}
            """).Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("system host-name: 'bad name' must be a host name"));
        Assert.Contains(errors, e => e.StartsWith("system time-zone: 'Mars/Base' must be UTC or an IANA time zone"));
        Assert.Contains(errors, e => e.StartsWith("system ntp server: 'not an address!' must be an IP address or a DNS name"));
        Assert.Contains(errors, e => e.StartsWith("system syslog host 192.0.2.9 port: '70000' must be a whole number from 1 to 65535"));
        Assert.Contains(errors, e => e == "system login user ann class: is mandatory");
        Assert.Contains(errors, e => e == "system login user ann: appears more than once");
        Assert.Contains(errors, e => e.StartsWith("system login user ann class: 'root' must be one of: admin, operator"));
        Assert.Contains(errors, e => e.StartsWith("system colour: unknown element"));
        Assert.Contains(errors, e => e == "vnfs vnf fw package: is mandatory");
        Assert.Contains(errors, e => e.StartsWith("vnfs vnf fw cpus: 'two' must be a number of cores"));
    }

    [Fact]
    public void Time_zone_follows_the_IANA_shape()
    {
        Assert.Empty(Validate("""{"system":{"time-zone":"America/Argentina/Buenos_Aires"}}"""));
        Assert.Single(Validate("""{"system":{"time-zone":"paris"}}"""));
    }

    [Fact]
    public void A_newer_schema_version_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigDocument.Parse("""{"schema-version":99}"""));
        Assert.Contains("newer than this firmware understands", e.Message);
    }

    [Fact]
    public void Not_json_is_a_clear_error()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigDocument.Parse("{ nope"));
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void Serialize_then_parse_is_the_identity()
    {
        var tree = (JsonObject)JsonNode.Parse("""{"system":{"host-name":"a","ntp":{"server":["192.0.2.1"]}}}""")!;
        var again = ConfigDocument.Parse(ConfigDocument.Serialize(tree));
        Assert.True(JsonNode.DeepEquals(tree, again));
        Assert.Contains("\"schema-version\":1", ConfigDocument.Serialize(tree));
    }

    [Theory]
    [InlineData("Authorised use only \u202E ylno", "U+202E, a bidirectional control character")]
    [InlineData("left \u2067 isolate", "U+2067, a bidirectional control character")]
    [InlineData("bell \u0007", "the control character U+0007")]
    [InlineData("escape \u001B[2J", "the control character U+001B")]
    [InlineData("c1 \u009B", "the control character U+009B")]
    [InlineData("lost \uFFFD bytes", "U+FFFD, the replacement character")]
    public void Strings_with_control_bidi_or_replacement_characters_are_refused_by_name(string banner, string problem)
    {
        var tree = new JsonObject { ["system"] = new JsonObject { ["login"] = new JsonObject { ["banner"] = banner } } };
        var error = Assert.Single(ConfigValidator.Validate(tree));
        Assert.Equal("system login banner", error.Path);
        Assert.Contains(problem, error.Message);
        Assert.DoesNotContain(error.Message, c => c is '\u202E' or '\u2067' or '\u0007' or '\u001B' or '\u009B' or '\uD800');
    }

    [Fact]
    public void Newlines_and_tabs_stay_allowed_where_the_type_allows_them_and_keys_are_checked_too()
    {
        var ok = new JsonObject { ["system"] = new JsonObject { ["login"] = new JsonObject { ["banner"] = "line one\n\tline two ✓ 日本\n" } } };
        Assert.Empty(ConfigValidator.Validate(ok));
        var key = ConfigDocument.Parse("""{"system":{"login":{"user":[{"name":"ann\u202e","class":"admin"}]}}}""");
        Assert.Contains(ConfigValidator.Validate(key), e => e.Path == "system login user ann\\u202E" && e.Message.Contains("bidirectional"));
    }

    [Fact]
    public void A_lone_surrogate_is_not_text() =>
        Assert.Contains("a lone surrogate", SafeText.Problem(new string(['a', (char)0xD800, 'b'])));

    [Fact]
    public void A_document_with_a_duplicate_key_is_refused_naming_the_key()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigDocument.Parse("""{"system":{"host-name":"a","host-name":"b"}}"""));
        Assert.Contains("host-name", e.Message);
    }
}
