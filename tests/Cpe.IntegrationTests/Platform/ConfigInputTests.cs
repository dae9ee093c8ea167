using System.Text;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>
/// What a technician's CLI may hand cped as configuration: files that are too large, endless or not UTF-8, strings
/// that would drive a terminal or read backwards, duplicate keys, and a commit that changes nothing. Each gets a
/// clear error (or no new revision), never an internal error or a hang.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ConfigInputTests : DaemonTest
{
    string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(Cped.StateDirectory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task Load_merge_of_an_endless_or_oversized_file_is_refused_with_the_limit()
    {
        foreach (var source in new[] { "/dev/zero", Write("huge.json", Encoding.UTF8.GetBytes("{\"system\":{\"login\":{\"banner\":\"" + new string('x', 10 << 20) + "\"}}}")) })
        {
            var r = await Cpe($"configure; load merge {source}");
            Assert.True(r.ExitCode != 0, r.ToString());
            Assert.Contains("is larger than 1048576 bytes, the most one request to cped can carry", r.Error);
        }
    }

    [Fact]
    public async Task What_show_configuration_prints_loads_back_and_a_mistake_names_its_line()
    {
        Assert.Equal(0, (await Cpe("configure; set system host-name site-16; set system ntp server 192.0.2.1; commit")).ExitCode);
        string text = (await Cpe("show configuration system")).Output;
        string path = Write("site.conf", Encoding.UTF8.GetBytes("system {\n" + text.Replace("site-16", "site-17") + "}\n"));
        var loaded = await Cpe($"configure; load replace {path}; commit; run show version");
        Assert.True(loaded.ExitCode == 0, loaded.ToString());
        Assert.Contains("Hostname: site-17", loaded.Output);

        string bad = Write("bad.conf", Encoding.UTF8.GetBytes("system {\n    host-name a\n}\n"));
        var refused = await Cpe($"configure; load merge {bad}");
        Assert.Contains("line 3: missing ';' after 'host-name a'", refused.Error);
    }

    [Fact]
    public async Task A_request_over_the_API_limit_gets_its_error_instead_of_a_hang()
    {
        // A 3 MB banner typed on one line: the CLI refuses to send what cped would skip.
        var r = await CliProcess.RunAsync(Cped.SocketPath, "", stdin: $"configure\nset system login banner \"{new string('b', 3 << 20)}\"\n");
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains("over the local API's limit of 1048576 bytes", r.Error);
    }

    [Fact]
    public async Task A_file_that_is_not_utf8_is_refused_not_mended()
    {
        string path = Write("latin1.json", [.. Encoding.ASCII.GetBytes("{\"system\":{\"host-name\":\"caf"), 0xE9, .. Encoding.ASCII.GetBytes("\"}}")]);
        var r = await Cpe($"configure; load merge {path}");
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains("is not UTF-8 text (invalid bytes at offset 27)", r.Error);
    }

    [Fact]
    public async Task Bidi_and_control_characters_are_refused_in_every_string_whatever_the_path()
    {
        var r = await Cpe("configure; set system login banner \"Authorised use only \u202Eylno\"");
        Assert.True(r.ExitCode != 0, r.ToString());
        string path = Write("bidi.json", Encoding.UTF8.GetBytes("{\"system\":{\"login\":{\"banner\":\"fine \\u202e enif\"}},\"interfaces\":{\"interface\":[{\"name\":\"ge-0/0/1\",\"description\":\"a\\u001b[2Jb\"}]}}"));
        r = await Cpe($"configure; load merge {path}; commit");
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains("system login banner: contains U+202E, a bidirectional control character", r.Error);
        Assert.DoesNotContain('\u202E', r.Error);
        Assert.DoesNotContain('\u001B', r.Error);
    }

    [Fact]
    public async Task Duplicate_keys_are_a_validation_error_naming_the_key()
    {
        string path = Write("dup.json", Encoding.UTF8.GetBytes("{\"system\":{\"host-name\":\"a\",\"host-name\":\"b\"}}"));
        var r = await Cpe($"configure; load merge {path}");
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains("host-name", r.Error);
        Assert.DoesNotContain("internal error", r.Error);
    }

    [Fact]
    public async Task A_commit_that_changes_nothing_stores_no_revision()
    {
        var r = await Cpe("configure; set system; commit");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("no changes", r.Output);
        var history = await Cpe("show system commit");
        Assert.DoesNotContain("via cli", history.Output);
        Assert.Equal(1, history.Output.Split('\n').Count(l => l.Length > 0 && char.IsDigit(l[0])));
    }
}
