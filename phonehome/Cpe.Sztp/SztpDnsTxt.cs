using System.Text;

namespace Cpe.Sztp;

/// <summary>
/// RFC 8572 §4.2's device-specific DNS records: TXT records at <c>SERIAL._sztp.DOMAIN</c>, one per artifact, each a
/// <c>key=value</c> pair with the artifact's bytes (DER) as the value: <c>ci</c> conveyed information, <c>oc</c> owner
/// certificate, <c>ov</c> ownership voucher. A TXT character-string holds at most 255 bytes and the artifacts are
/// kilobytes, so a record's strings are concatenated to form its pair, as RFC 7208 §3.3 does for long SPF values
/// (docs/reference/phonehome.md, "DNS").
/// </summary>
public static class SztpDnsTxt
{
    public const string ConveyedInformation = "ci", OwnerCertificate = "oc", OwnershipVoucher = "ov";

    /// <summary>The owner name of a device's records, or null when the serial number cannot be one DNS label.</summary>
    public static string? RecordName(string serialNumber, string domain) =>
        serialNumber.Length is > 0 and <= 63 && serialNumber.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? $"{serialNumber}._sztp.{domain.TrimEnd('.')}" : null;

    /// <summary>The TXT RDATA for one artifact: "key=" and the value, cut into character-strings of up to 255 bytes.</summary>
    public static byte[] Encode(string key, ReadOnlySpan<byte> value)
    {
        byte[] pair = [.. Encoding.ASCII.GetBytes(key + "="), .. value];
        var rdata = new List<byte>(pair.Length + pair.Length / 255 + 1);
        foreach (var chunk in pair.Chunk(255))
        {
            rdata.Add((byte)chunk.Length);
            rdata.AddRange(chunk);
        }
        return [.. rdata];
    }

    /// <summary>One record's pair from its strings, concatenated; null when it is not "key=value".</summary>
    public static (string Key, byte[] Value)? Decode(ReadOnlySpan<byte> concatenated)
    {
        int equals = concatenated.IndexOf((byte)'=');
        if (equals <= 0) return null;
        return (Encoding.ASCII.GetString(concatenated[..equals]).ToLowerInvariant(), concatenated[(equals + 1)..].ToArray());
    }

    /// <summary>The character-strings of one TXT RDATA, concatenated; throws when a length runs past the data.</summary>
    public static byte[] Concatenate(ReadOnlySpan<byte> rdata)
    {
        var joined = new List<byte>(rdata.Length);
        for (int at = 0; at < rdata.Length;)
        {
            int length = rdata[at];
            if (at + 1 + length > rdata.Length) throw new FormatException("a TXT character-string runs past the record's data");
            joined.AddRange(rdata.Slice(at + 1, length));
            at += 1 + length;
        }
        return [.. joined];
    }
}
