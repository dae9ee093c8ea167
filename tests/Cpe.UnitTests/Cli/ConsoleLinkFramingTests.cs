using Cpe.Cli.Link;

namespace Cpe.UnitTests.Cli;

/// <summary>The console link's framing: COBS, the CRC, and finding frames among plain text and damage.</summary>
[Trait("Kind", "Unit")]
public class ConsoleLinkFramingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(253)]
    [InlineData(254)]
    [InlineData(255)]
    [InlineData(2000)]
    public void Cobs_leaves_no_zero_and_gives_back_the_bytes(int length)
    {
        var random = new Random(length);
        foreach (int zeros in new[] { 0, 1, 10 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            for (int i = 0; i < data.Length; i++) if (data[i] == 0) data[i] = 1;
            for (int z = 0; z < zeros && length > 0; z++) data[random.Next(length)] = 0;
            var encoded = new byte[Cobs.MaxEncodedLength(length)];
            int n = Cobs.Encode(data, encoded);
            Assert.DoesNotContain((byte)0, encoded.AsSpan(0, n).ToArray());
            var decoded = new byte[n];
            int m = Cobs.Decode(encoded.AsSpan(0, n), decoded);
            Assert.Equal(data, decoded.AsSpan(0, m).ToArray());
        }
    }

    [Fact]
    public void Cobs_refuses_what_it_cannot_have_made()
    {
        Assert.Equal(-1, Cobs.Decode([5, 1, 2], new byte[8]));   // says 4 bytes follow, 2 do
        Assert.Equal(-1, Cobs.Decode([3, 1, 0], new byte[8]));   // a zero inside
    }

    sealed class Collected
    {
        public readonly List<(FrameType Type, byte[] Body)> Frames = [];
        public readonly List<byte> Plain = [];
        public LinkDecoder Decoder { get; }
        public Collected() => Decoder = new LinkDecoder(b => Plain.AddRange(b.ToArray()), (t, b) => Frames.Add((t, b.ToArray())));
        public string PlainText => System.Text.Encoding.ASCII.GetString(Plain.ToArray());
    }

    [Fact]
    public void Frames_are_found_between_plain_text_and_every_byte_value_crosses()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var wire = new List<byte>();
        wire.AddRange("cpe login: "u8.ToArray());
        wire.AddRange(LinkFrame.Encode(FrameType.Terminal, all));
        wire.AddRange(LinkFrame.Encode(FrameType.Keepalive, []));
        wire.AddRange("more"u8.ToArray());
        var c = new Collected();
        // One byte at a time, as a slow line delivers them.
        foreach (byte b in wire) c.Decoder.Feed([b]);
        Assert.Equal("cpe login: more", c.PlainText);
        Assert.Equal(2, c.Frames.Count);
        Assert.Equal(FrameType.Terminal, c.Frames[0].Type);
        Assert.Equal(all, c.Frames[0].Body);
        Assert.Equal(FrameType.Keepalive, c.Frames[1].Type);
    }

    [Fact]
    public void A_damaged_frame_is_dropped_and_the_next_one_is_found()
    {
        var damaged = LinkFrame.Encode(FrameType.Data, "first"u8);
        damaged[3] ^= 0x40;
        var wire = damaged.Concat(LinkFrame.Encode(FrameType.Data, "second"u8)).ToArray();
        var c = new Collected();
        c.Decoder.Feed(wire);
        Assert.Equal("second"u8.ToArray(), Assert.Single(c.Frames).Body);

        // A frame cut short (the cable pulled in the middle of it) costs that frame and no other.
        var cut = LinkFrame.Encode(FrameType.Data, "third"u8)[..5];
        c.Decoder.Feed(cut.Concat(LinkFrame.Encode(FrameType.Data, "fourth"u8)).ToArray());
        Assert.Equal("fourth"u8.ToArray(), c.Frames[^1].Body);
        Assert.Equal(2, c.Frames.Count);
    }

    [Fact]
    public void A_stray_zero_in_typing_gives_its_text_back_when_the_line_goes_quiet()
    {
        var c = new Collected();
        c.Decoder.Feed("show\0 version\r"u8);
        Assert.Equal("show", c.PlainText);
        Assert.True(c.Decoder.InFrame);
        c.Decoder.Flush();   // what the port does after 200 ms without a byte
        Assert.Equal("show version\r", c.PlainText);
        Assert.Empty(c.Frames);
    }

    [Fact]
    public void A_frame_body_is_bounded()
    {
        Assert.Throws<ArgumentException>(() => LinkFrame.Encode(FrameType.Data, new byte[LinkFrame.MaxBody + 1]));
        // Longer than any frame between two zeros: plain text, not a buffer that grows.
        var c = new Collected();
        var endless = new byte[LinkFrame.MaxWire * 3];
        Array.Fill(endless, (byte)'x');
        endless[0] = 0;
        c.Decoder.Feed(endless);
        Assert.Equal(endless.Length - 1, c.Plain.Count);
    }

    [Theory]
    [InlineData("cpe-firmware-2.0.0.cpeu", null)]
    [InlineData("fw_1+build.tar", null)]
    [InlineData("", "1 to 128 characters")]
    [InlineData(".profile", "would be hidden")]
    [InlineData("../etc/passwd", "would be hidden")]
    [InlineData("a/b", "has '/'")]
    [InlineData("a b", "has ' '")]
    [InlineData("x\u001b", "has '\\x1b'")]
    [InlineData("bundle.part", "unfinished files")]
    public void Names_of_files_pushed_are_plain_names_in_the_folder(string name, string? problem)
    {
        string? found = FileReceiver.ProblemWithName(name);
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found);
    }
}
