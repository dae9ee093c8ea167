namespace Cpe.Phonehome.Discovery;

/// <summary>
/// Removable media or a file pushed over the serial console (docs/reference/phonehome.md, "Local sources"): a folder
/// <c>sztp/</c> holding <c>conveyed-information</c> (CMS, DER) with <c>owner-certificate</c> and
/// <c>ownership-voucher</c>, and/or <c>bootstrap-servers</c> (one URI per line). Nothing here is trusted: conveyed
/// information must be signed, and servers named here are provisional.
/// </summary>
public sealed class LocalFolderSource(string name, string root) : IBootstrapSource
{
    public string Name => name;

    public Task<IReadOnlyList<Candidate>> DiscoverAsync(CancellationToken ct)
    {
        var found = new List<Candidate>();
        string folder = Path.Combine(root, "sztp");
        if (!Directory.Exists(folder)) return Task.FromResult<IReadOnlyList<Candidate>>(found);
        byte[]? Read(string file) => File.Exists(Path.Combine(folder, file)) ? File.ReadAllBytes(Path.Combine(folder, file)) : null;
        if (Read("conveyed-information") is byte[] conveyed)
            found.Add(new Candidate.LocalArtifacts(conveyed, Read("owner-certificate"), Read("ownership-voucher"), $"{name} {folder}"));
        if (Read("bootstrap-servers") is byte[] list)
            foreach (var uri in ServerList.Parse(System.Text.Encoding.UTF8.GetString(list), Path.Combine(folder, "bootstrap-servers")))
                found.Add(new Candidate.Server(new BootstrapServer(uri), $"{name} {folder}"));
        return Task.FromResult<IReadOnlyList<Candidate>>(found);
    }
}
