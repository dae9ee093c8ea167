namespace Cpe.Phonehome.Discovery;

/// <summary>Something discovery found: a bootstrap server to call, or conveyed information read from local media.</summary>
public abstract record Candidate(string Origin)
{
    public sealed record Server(BootstrapServer Bootstrap, string From) : Candidate(From);

    /// <summary>Artifacts from removable media or the serial console: an untrusted source, so they must be signed.</summary>
    public sealed record LocalArtifacts(byte[] ConveyedInformation, byte[]? OwnerCertificate, byte[]? OwnershipVoucher, string From) : Candidate(From);
}

/// <summary>One place bootstrap servers or conveyed information can come from.</summary>
public interface IBootstrapSource
{
    string Name { get; }
    Task<IReadOnlyList<Candidate>> DiscoverAsync(CancellationToken ct);
}
