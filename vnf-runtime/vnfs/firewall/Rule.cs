using Cpe.PacketIo.Protocols;

namespace Cpe.Vnfs.Firewall;

public enum Direction { Outbound, Inbound }

/// <summary>
/// One firewall rule on the 5-tuple of a flow's first packet: "allow|deny in|out PROTO SOURCE DESTINATION [PORT]",
/// PROTO tcp, udp, icmp or any; SOURCE and DESTINATION a prefix (10.0.0.0/8), an address, or any; PORT the
/// destination port. Rules are tried in order; the first match decides. Without a match, outbound flows are allowed
/// and inbound ones denied.
/// </summary>
public sealed record Rule(bool Allow, Direction Direction, byte? Protocol, uint SourceNet, uint SourceMask, uint DestinationNet, uint DestinationMask, ushort? Port)
{
    public bool Matches(Direction direction, in FlowKey flow) =>
        direction == Direction
        && (Protocol is null || Protocol == flow.Protocol)
        && (flow.SourceIp & SourceMask) == SourceNet
        && (flow.DestinationIp & DestinationMask) == DestinationNet
        && (Port is null || Port == flow.DestinationPort);

    /// <summary>Rules separated by ';' (an environment variable holds them all).</summary>
    public static List<Rule> ParseList(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();

    public static Rule Parse(string text)
    {
        var w = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (w.Length is < 5 or > 6) throw new FormatException($"rule '{text}': expected allow|deny in|out PROTO SOURCE DESTINATION [PORT]");
        bool allow = w[0] switch { "allow" => true, "deny" => false, _ => throw new FormatException($"rule '{text}': '{w[0]}' is not allow or deny") };
        var direction = w[1] switch { "out" => Direction.Outbound, "in" => Direction.Inbound, _ => throw new FormatException($"rule '{text}': '{w[1]}' is not in or out") };
        byte? protocol = w[2] switch
        {
            "any" => null,
            "tcp" => Frame.Tcp,
            "udp" => Frame.Udp,
            "icmp" => Frame.Icmp,
            _ => throw new FormatException($"rule '{text}': '{w[2]}' is not tcp, udp, icmp or any"),
        };
        var (sn, sm) = Prefix(w[3], text);
        var (dn, dm) = Prefix(w[4], text);
        ushort? port = w.Length == 6 ? ushort.TryParse(w[5], out var p) && p > 0 ? p : throw new FormatException($"rule '{text}': '{w[5]}' is not a port") : null;
        return new Rule(allow, direction, protocol, sn, sm, dn, dm, port);
    }

    static (uint Net, uint Mask) Prefix(string text, string rule)
    {
        if (text == "any") return (0, 0);
        var parts = text.Split('/');
        int length = parts.Length == 2 ? int.TryParse(parts[1], out int l) && l is >= 0 and <= 32 ? l : throw new FormatException($"rule '{rule}': '{text}' has a bad prefix length") : 32;
        uint mask = length == 0 ? 0 : uint.MaxValue << (32 - length);
        try { return (Frame.ParseIp(parts[0]) & mask, mask); }
        catch (FormatException) { throw new FormatException($"rule '{rule}': '{text}' is not an address or prefix"); }
    }
}
