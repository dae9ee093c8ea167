namespace Cpe.UnitTests.Netlink;

/// <summary>One request iproute2 sent (captured by capture-iproute2.sh), with the ifindexes of that moment.</summary>
public sealed record Iproute2Capture(string Command, IReadOnlyDictionary<string, int> IfIndex, byte[] Bytes)
{
    public static Iproute2Capture Load(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Netlink", "iproute2", name + ".hex"));
        var ifindex = lines[1]["# ifindex ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1]));
        return new Iproute2Capture(lines[0][2..], ifindex, Convert.FromHexString(lines[2].Trim()));
    }

    /// <summary>The bytes with the sequence number (which iproute2 takes from the clock) zeroed.</summary>
    public static byte[] WithoutSequence(ReadOnlySpan<byte> message)
    {
        var copy = message.ToArray();
        copy.AsSpan(8, 4).Clear();
        return copy;
    }
}
