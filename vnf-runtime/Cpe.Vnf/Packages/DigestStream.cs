using System.Security.Cryptography;

namespace Cpe.Vnf.Packages;

/// <summary>
/// Reads a blob while hashing it: at its end the sha-256 and the length must be what the descriptor said, or the
/// read fails, so a consumer (an unpacker) never sees the end of a tampered blob as a normal end.
/// </summary>
public sealed class DigestStream(Stream inner, string expectedDigest, long? expectedLength, string what) : ReadOnlyStream
{
    readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    long _read;
    bool _checked;

    public static string Sha256Digest(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>"sha256:" and 64 lower-case hex digits: the only digests accepted (they also name files, so nothing else may pass).</summary>
    public static bool IsSha256(string digest) =>
        digest.Length == 71 && digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.AsSpan(7).ContainsAnyExcept("0123456789abcdef") == false;

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Account(buffer[..n], atEnd: n == 0 && buffer.Length > 0);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        int n = await inner.ReadAsync(buffer, ct);
        Account(buffer.Span[..n], atEnd: n == 0 && buffer.Length > 0);
        return n;
    }


    /// <summary>Reads whatever the consumer left (tar readers stop at the end-of-archive blocks) and checks the digest.</summary>
    public void VerifyToEnd()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer) > 0) { }
        if (!_checked) Check();
    }

    void Account(ReadOnlySpan<byte> bytes, bool atEnd)
    {
        _read += bytes.Length;
        if (_read > expectedLength) throw new VnfPackageException($"{what} is longer than the {expectedLength} bytes its descriptor says");
        _hash.AppendData(bytes);
        if (atEnd && !_checked) Check();
    }

    void Check()
    {
        _checked = true;
        if (expectedLength is not null && _read != expectedLength) throw new VnfPackageException($"{what} is {_read} bytes, its descriptor says {expectedLength}");
        string actual = "sha256:" + Convert.ToHexStringLower(_hash.GetCurrentHash());
        if (actual != expectedDigest) throw new VnfPackageException($"{what} does not match its digest: expected {expectedDigest}, read {actual}");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { inner.Dispose(); _hash.Dispose(); }
        base.Dispose(disposing);
    }

    public override long Length => expectedLength ?? throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
}
