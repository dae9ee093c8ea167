using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Cpe.Phonehome.Discovery;

/// <summary>The server answered, with an error other than "no such name" (e.g. 2 server failure, 5 refused).</summary>
public sealed class DnsErrorAnswerException(int rcode) : IOException($"the DNS server answered with rcode {rcode}")
{
    public int Rcode { get; } = rcode;
}

/// <summary>One SRV answer: where a service is.</summary>
public sealed record SrvRecord(ushort Priority, ushort Weight, ushort Port, string Target);

/// <summary>
/// The DNS questions discovery asks (RFC 1035 to the DNS server the DHCP lease named, not the host's resolver): TXT,
/// SRV and A. Only what is needed: one question, answers parsed with name compression, a matching id; over UDP, and
/// again over TCP when the answer was truncated (RFC 7766), as the kilobytes of TXT artifacts are. Sent to
/// <see cref="Multicast"/>, a question is an mDNS one-shot query (RFC 6762 §5.1, §6.7): from an ephemeral port, so
/// responders answer by unicast from their own address, with our id.
/// </summary>
public static class DnsQuery
{
    const ushort TypeA = 1, TypePtr = 12, TypeTxt = 16, TypeSrv = 33, ClassIn = 1;

    /// <summary>mDNS: 224.0.0.251, port 5353.</summary>
    public static readonly IPAddress Multicast = IPAddress.Parse("224.0.0.251");

    public static async Task<IReadOnlyList<SrvRecord>> SrvAsync(IPAddress server, string name, TimeSpan timeout, CancellationToken ct) =>
        (await AskAsync(server, name, TypeSrv, timeout, ct)).Select(a => a.Srv!).OrderBy(s => s.Priority).ThenByDescending(s => s.Weight).ToList();

    public static async Task<IReadOnlyList<IPAddress>> AAsync(IPAddress server, string name, TimeSpan timeout, CancellationToken ct) =>
        (await AskAsync(server, name, TypeA, timeout, ct)).Select(a => a.Address!).ToList();

    /// <summary>The names a PTR question points to (DNS-SD: the service's instances).</summary>
    public static async Task<IReadOnlyList<string>> PtrAsync(IPAddress server, string name, TimeSpan timeout, CancellationToken ct) =>
        (await AskAsync(server, name, TypePtr, timeout, ct)).Select(a => a.Ptr!).ToList();

    /// <summary>Each TXT record at <paramref name="name"/>, its character-strings concatenated.</summary>
    public static async Task<IReadOnlyList<byte[]>> TxtAsync(IPAddress server, string name, TimeSpan timeout, CancellationToken ct) =>
        (await AskAsync(server, name, TypeTxt, timeout, ct)).Select(a => a.Txt!).ToList();

    internal sealed record Answer(SrvRecord? Srv = null, IPAddress? Address = null, byte[]? Txt = null, string? Ptr = null);

    static async Task<List<Answer>> AskAsync(IPAddress server, string name, ushort type, TimeSpan timeout, CancellationToken ct)
    {
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(RandomNumberGenerator.GetBytes(2));
        byte[] query = Query(id, name, type);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        try
        {
            bool multicast = server.Equals(Multicast);
            byte[] reply = await OverUdpAsync(server, multicast, query, id, wait.Token);
            if (Truncated(reply) && !multicast) reply = await OverTcpAsync(server, query, id, wait.Token);
            return Parse(reply, type);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { throw new IOException($"DNS server {server} did not answer {name} in time"); }
        catch (SocketException e) { throw new IOException($"DNS server {server}: {e.Message}", e); }   // e.g. port unreachable: no DNS there
    }

    static bool Truncated(byte[] reply) => (reply[2] & 0x02) != 0;

    static async Task<byte[]> OverUdpAsync(IPAddress server, bool multicast, byte[] query, ushort id, CancellationToken ct)
    {
        using var udp = new UdpClient(server.AddressFamily);
        // Unicast: connected, so only the server is heard and a closed port fails at once. mDNS: an answer comes
        // from the responder's own address, not the group's.
        if (multicast) await udp.SendAsync(query, new IPEndPoint(server, 5353), ct);
        else
        {
            udp.Connect(server, 53);
            await udp.SendAsync(query, ct);
        }
        while (true)
        {
            var reply = await udp.ReceiveAsync(ct);
            // Another id is a stray or forged answer: keep waiting for ours.
            if (reply.Buffer.Length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(reply.Buffer) == id) return reply.Buffer;
        }
    }

    /// <summary>RFC 1035 §4.2.2: each message preceded by its two-byte length.</summary>
    static async Task<byte[]> OverTcpAsync(IPAddress server, byte[] query, ushort id, CancellationToken ct)
    {
        using var tcp = new TcpClient(server.AddressFamily);
        await tcp.ConnectAsync(server, 53, ct);
        var stream = tcp.GetStream();
        byte[] framed = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        await stream.WriteAsync(framed, ct);
        byte[] length = new byte[2];
        await stream.ReadExactlyAsync(length, ct);
        byte[] reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
        await stream.ReadExactlyAsync(reply, ct);
        if (reply.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(reply) != id) throw new IOException($"DNS server {server} answered another question over TCP");
        return reply;
    }

    internal static byte[] Query(ushort id, string name, ushort type)
    {
        var message = new List<byte>(64);
        message.AddRange([(byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);   // recursion desired, one question
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            if (bytes.Length is 0 or > 63) throw new ArgumentException($"'{name}' is not a DNS name");
            message.Add((byte)bytes.Length);
            message.AddRange(bytes);
        }
        message.AddRange([0, (byte)(type >> 8), (byte)type, 0, (byte)ClassIn]);
        return message.ToArray();
    }

    internal static List<Answer> Parse(byte[] m, ushort type)
    {
        if ((m[3] & 0x0F) is int rcode && rcode != 0)
            return rcode == 3 ? [] : throw new DnsErrorAnswerException(rcode);
        int questions = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(4)), answers = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(6));
        int at = 12;
        for (int q = 0; q < questions; q++) { ReadName(m, ref at); at += 4; }
        var list = new List<Answer>();
        for (int a = 0; a < answers; a++)
        {
            ReadName(m, ref at);
            ushort rrType = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(at));
            int length = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(at + 8));
            int data = at + 10;
            at = data + length;
            if (at > m.Length) throw new IOException("a DNS answer runs past the end of the message");
            if (rrType != type) continue;   // e.g. a CNAME on the way
            if (type == TypeA && length == 4) list.Add(new Answer(Address: new IPAddress(m.AsSpan(data, 4))));
            else if (type == TypePtr)
            {
                int target = data;
                list.Add(new Answer(Ptr: ReadName(m, ref target)));
            }
            else if (type == TypeTxt) list.Add(new Answer(Txt: Cpe.Sztp.SztpDnsTxt.Concatenate(m.AsSpan(data, length))));
            else if (type == TypeSrv && length >= 7)
            {
                int target = data + 6;
                list.Add(new Answer(new SrvRecord(BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(data)), BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(data + 2)),
                    BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(data + 4)), ReadName(m, ref target))));
            }
        }
        return list;
    }

    /// <summary>A possibly compressed name (RFC 1035 §4.1.4); <paramref name="at"/> moves past it.</summary>
    static string ReadName(byte[] m, ref int at)
    {
        var labels = new List<string>();
        int position = at, jumps = 0;
        bool jumped = false;
        while (true)
        {
            if (position >= m.Length) throw new IOException("a DNS name runs past the end of the message");
            byte length = m[position];
            if (length == 0) { position++; break; }
            if ((length & 0xC0) == 0xC0)
            {
                if (++jumps > 16) throw new IOException("a DNS name's compression pointers loop");
                int target = ((length & 0x3F) << 8) | m[position + 1];
                if (!jumped) at = position + 2;
                jumped = true;
                position = target;
                continue;
            }
            labels.Add(Encoding.ASCII.GetString(m, position + 1, length));
            position += 1 + length;
        }
        if (!jumped) at = position;
        return string.Join('.', labels);
    }
}
