namespace Cpe.Phonehome.Discovery;

/// <summary>The factory list of bootstrap servers (their trust comes from the factory's bootstrap anchors).</summary>
public sealed class FactoryListSource(IReadOnlyList<Uri> servers) : IBootstrapSource
{
    public string Name => "factory list";

    public Task<IReadOnlyList<Candidate>> DiscoverAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Candidate>>(servers.Select(u => (Candidate)new Candidate.Server(new BootstrapServer(u), Name)).ToList());
}
