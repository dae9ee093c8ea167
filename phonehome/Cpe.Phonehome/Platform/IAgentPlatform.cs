using System.Text.Json.Nodes;
using Cpe.Api;

namespace Cpe.Phonehome.Platform;

/// <summary>What the agent asks of the box (cped's phonehome.* and network.dhcp methods), shaped by the agent's needs.</summary>
public interface IAgentPlatform
{
    /// <summary>The bound DHCP leases' option 143 URIs and domain names, in port order.</summary>
    Task<IReadOnlyList<DhcpClientInfo>> DhcpLeasesAsync(CancellationToken ct);

    Task<CommitResult> CommitAsync(ProvisionCommitParams commit, CancellationToken ct);

    /// <summary>Confirms a pending fleet "commit confirmed"; false when none was pending.</summary>
    Task<bool> ConfirmAsync(CancellationToken ct);

    Task<ScriptResult> RunScriptAsync(string phase, byte[] script, int timeoutSeconds, CancellationToken ct);

    /// <summary>Where provisioning is, and why it failed (a class the status LED blinks): recorded as a "ztp" event.</summary>
    Task StatusAsync(ZtpStatusParams status, CancellationToken ct);

    /// <summary>Completes when a technician asks for a zero-touch round now ("request system zero-touch retry").</summary>
    Task RetryRequestedAsync(CancellationToken ct);

    Task<InventoryInfo> InventoryAsync(CancellationToken ct);

    /// <summary>The hardware inventory (show chassis hardware) as JSON; null on a box without a board profile.</summary>
    Task<System.Text.Json.Nodes.JsonObject?> HardwareAsync(CancellationToken ct);

    /// <summary>The firmware slots (image.status); null on a box without A/B slots.</summary>
    Task<SoftwareStatus?> SoftwareAsync(CancellationToken ct);

    /// <summary>Starts installing a bundle into the inactive slot (image.install); answers once it is admitted.</summary>
    Task<OkResult> InstallFirmwareAsync(string location, string sha256, CancellationToken ct);

    Task RebootAsync(string reason, CancellationToken ct);

    /// <summary>The VNF packages in the image store and each VNF instance (vnf.package.list, vnf.list); null on a box without a VNF runtime.</summary>
    Task<Cpe.Sztp.VnfReport?> VnfsAsync(CancellationToken ct);

    /// <summary>Adds a VNF package that cped downloads from <paramref name="uri"/>, taken only with SHA-256 <paramref name="sha256"/> (vnf.package.add).</summary>
    Task AddVnfPackageAsync(string uri, string sha256, CancellationToken ct);
}
