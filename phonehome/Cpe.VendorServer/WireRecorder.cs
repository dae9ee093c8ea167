namespace Cpe.VendorServer;

/// <summary>
/// With <c>serve --record DIR</c>, every RESTCONF body as it crossed the wire, for conformance checks with independent
/// tools (the tests validate each with yanglint): <c>NNNNNN-OPERATION-request.json</c> and <c>-reply.json</c>.
/// A troubleshooting aid; off by default.
/// </summary>
public sealed class WireRecorder(string? folder)
{
    long _sequence;

    public void Record(string operation, string direction, ReadOnlySpan<byte> body)
    {
        if (folder is null) return;
        Directory.CreateDirectory(folder);
        long n = Interlocked.Increment(ref _sequence);
        File.WriteAllBytes(Path.Combine(folder, $"{n:D6}-{operation}-{direction}.json"), body.ToArray());
    }
}
