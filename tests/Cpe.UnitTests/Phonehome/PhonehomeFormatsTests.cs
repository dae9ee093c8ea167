using System.Security.Cryptography;
using System.Text;
using Cpe.Phonehome;
using Cpe.Phonehome.Discovery;
using Cpe.Sztp;

namespace Cpe.UnitTests.Phonehome;

/// <summary>The agent's small formats: the server list, DNS messages, the check-in answer's checks, the command line.</summary>
[Trait("Kind", "Unit")]
public sealed class PhonehomeFormatsTests
{
    [Fact]
    public void A_server_list_takes_https_hosts_with_ports_and_comments_and_names_the_bad_line()
    {
        var list = ServerList.Parse("# factory list\nhttps://sztp.example.net:8443\n\n https://192.0.2.1  # fallback\n", "bootstrap-servers");
        Assert.Equal(["https://sztp.example.net:8443/", "https://192.0.2.1/"], list.Select(u => u.ToString()).ToArray());
        var e = Assert.Throws<InvalidDataException>(() => ServerList.Parse("https://a.example\nhttp://b.example/x\n", "bootstrap-servers"));
        Assert.Equal("bootstrap-servers line 2: 'http://b.example/x' is not https://host[:port]", e.Message);
    }

    [Fact]
    public void Dns_answers_are_read_with_name_compression_and_srv_records_sorted_by_priority()
    {
        byte[] query = DnsQuery.Query(0x1234, "_sztp._tcp.sim.example", 33);
        // The answer repeats the question and points back at it (0xC00C) for the owner names.
        var answer = new List<byte>(query);
        answer[2] = 0x81; answer[3] = 0x80; answer[7] = 2;
        void Srv(ushort priority, ushort weight, ushort port, string target)
        {
            var rdata = new List<byte> { (byte)(priority >> 8), (byte)priority, (byte)(weight >> 8), (byte)weight, (byte)(port >> 8), (byte)port };
            foreach (var label in target.Split('.')) { rdata.Add((byte)label.Length); rdata.AddRange(Encoding.ASCII.GetBytes(label)); }
            rdata.Add(0);
            answer.AddRange([0xC0, 0x0C, 0, 33, 0, 1, 0, 0, 0, 60, (byte)(rdata.Count >> 8), (byte)rdata.Count]);
            answer.AddRange(rdata);
        }
        Srv(20, 0, 443, "backup.sim.example");
        Srv(10, 5, 8443, "bootstrap.sim.example");
        var records = DnsQuery.Parse(answer.ToArray(), 33).Select(a => a.Srv!).OrderBy(s => s.Priority).ToArray();
        Assert.Equal([new SrvRecord(10, 5, 8443, "bootstrap.sim.example"), new SrvRecord(20, 0, 443, "backup.sim.example")], records);

        answer[3] = 0x83;   // NXDOMAIN: nothing there, not an error
        Assert.Empty(DnsQuery.Parse(answer.ToArray(), 33));
        answer[3] = 0x82;   // SERVFAIL
        Assert.Equal(2, Assert.Throws<DnsErrorAnswerException>(() => DnsQuery.Parse(answer.ToArray(), 33)).Rcode);
    }

    [Fact]
    public void A_device_txt_record_carries_a_kilobyte_artifact_in_255_byte_strings_and_reads_back_whole()
    {
        byte[] voucher = RandomNumberGenerator.GetBytes(1000);
        byte[] rdata = SztpDnsTxt.Encode(SztpDnsTxt.OwnershipVoucher, voucher);
        Assert.Equal(1003 + 4, rdata.Length);   // "ov=" and the value, in four strings of 255, 255, 255 and 238 bytes
        Assert.Equal([255, 255, 255, 238], new[] { rdata[0], rdata[256], rdata[512], rdata[768] });

        // In an answer, after the question: the record's strings are joined, then split at the first '='.
        byte[] query = DnsQuery.Query(0x4321, "SIM-1._sztp.sim.example", 16);
        var answer = new List<byte>(query);
        answer[2] = 0x81; answer[3] = 0x80; answer[7] = 1;
        answer.AddRange([0xC0, 0x0C, 0, 16, 0, 1, 0, 0, 0, 60, (byte)(rdata.Length >> 8), (byte)rdata.Length, .. rdata]);
        byte[] joined = DnsQuery.Parse(answer.ToArray(), 16).Single().Txt!;
        var (key, value) = SztpDnsTxt.Decode(joined)!.Value;
        Assert.Equal("ov", key);
        Assert.Equal(voucher, value);

        Assert.Null(SztpDnsTxt.Decode("no pair here"u8));
        Assert.Null(SztpDnsTxt.Decode("=no key"u8));
        rdata[768] = 0xFF;   // the last string's length now runs past the record
        Assert.Throws<FormatException>(() => SztpDnsTxt.Concatenate(rdata));
        Assert.Equal("SIM-1._sztp.sim.example", SztpDnsTxt.RecordName("SIM-1", "sim.example."));
        Assert.Null(SztpDnsTxt.RecordName("SIM.1", "sim.example"));   // two labels: not a name RFC 8572 can form
    }

    [Fact]
    public void A_check_in_answer_must_be_signed_by_the_pinned_owner_for_this_device_and_nonce()
    {
        var now = DateTimeOffset.UtcNow;
        var ca = VendorPki.CreateCa("CN=Owner CA", now.AddDays(-1), TimeSpan.FromDays(30));
        var owner = VendorPki.Issue(ca, "CN=owner", now.AddDays(-1), TimeSpan.FromDays(10));
        var other = VendorPki.Issue(ca, "CN=someone else", now.AddDays(-1), TimeSpan.FromDays(10));
        var answer = new CheckInAnswer("SIM-1", "n1", now, 300, null, null, []);
        byte[] signed = Cms.Sign(FleetCheckIn.ToJson(answer), SztpOids.Data, owner);
        Assert.Equal(300, FleetCheckIn.Verify(signed, owner, "SIM-1", "n1").CheckInSeconds);
        Assert.Throws<SztpVerificationException>(() => FleetCheckIn.Verify(Cms.Sign(FleetCheckIn.ToJson(answer), SztpOids.Data, other), owner, "SIM-1", "n1"));
        Assert.Contains("not SIM-2", Assert.Throws<SztpVerificationException>(() => FleetCheckIn.Verify(signed, owner, "SIM-2", "n1")).Message);
        Assert.Contains("nonce", Assert.Throws<SztpVerificationException>(() => FleetCheckIn.Verify(signed, owner, "SIM-1", "n2")).Message);
        var tooFast = Cms.Sign(FleetCheckIn.ToJson(answer with { CheckInSeconds = 1 }), SztpOids.Data, owner);
        Assert.Contains("outside 5..86400", Assert.Throws<SztpVerificationException>(() => FleetCheckIn.Verify(tooFast, owner, "SIM-1", "n1")).Message);
        var flipped = (byte[])signed.Clone();
        flipped[signed.Length / 2] ^= 1;
        Assert.Throws<SztpVerificationException>(() => FleetCheckIn.Verify(flipped, owner, "SIM-1", "n1"));
    }

    [Fact]
    public void The_agent_command_line_is_checked_once()
    {
        var o = AgentOptions.Parse(["--factory", "/f", "--state-dir", "/s", "--check-in", "60", "--nonce"]);
        Assert.Equal(("/s", TimeSpan.FromSeconds(60), true, "/run/cpe/api.sock"), (o.StateDirectory, o.CheckIn, o.SendNonce, o.Socket));
        Assert.Equal("--factory and --state-dir are required", Assert.Throws<ArgumentException>(() => AgentOptions.Parse(["--factory", "/f"])).Message);
        Assert.Equal("--check-in must be a number from 5 to 86400", Assert.Throws<ArgumentException>(() => AgentOptions.Parse(["--check-in", "1"])).Message);
        Assert.Equal("unknown option '--fast'", Assert.Throws<ArgumentException>(() => AgentOptions.Parse(["--fast"])).Message);
    }

    [Fact]
    public void At_the_minimal_reporting_level_only_what_rfc_8572_requires_is_sent()
    {
        string[] all = Restconf.ProgressTypes;
        Assert.Equal(all, all.Where(t => Cpe.Phonehome.Processing.ProgressReporter.Sends("verbose", t)).ToArray());
        Assert.Equal(all, all.Where(t => Cpe.Phonehome.Processing.ProgressReporter.Sends(null, t)).ToArray());
        Assert.Equal(["bootstrap-initiated", "parsing-error", "boot-image-error", "boot-image-installed-rebooting", "pre-script-error",
            "config-error", "post-script-error", "bootstrap-error", "bootstrap-complete"],
            all.Where(t => Cpe.Phonehome.Processing.ProgressReporter.Sends("minimal", t)).ToArray());
    }
}
