using System.Text.Json.Nodes;

namespace Cpe.Api;

/// <summary>Typed calls of the local API, so callers read as intent rather than method strings.</summary>
public static class ApiCalls
{
    static ApiJsonContext J => ApiJsonContext.Default;

    public static Task<Identity> WhoAmIAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.WhoAmI, new Empty(), J.Empty, J.Identity, ct);
    public static Task<Identity> AssumeAsync(this ApiClient c, string user, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.Assume, new AssumeParams(user), J.AssumeParams, J.Identity, ct);
    public static Task<OkResult> AuthenticateAsync(this ApiClient c, string user, string password, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.Authenticate, new AuthenticateParams(user, password), J.AuthenticateParams, J.OkResult, ct);

    public static Task<SoftwareStatus> SoftwareStatusAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ImageStatus, new Empty(), J.Empty, J.SoftwareStatus, ct);

    public static Task<OkResult> InstallSoftwareAsync(this ApiClient c, string location, bool reboot, CancellationToken ct = default, string? sha256 = null) =>
        c.CallAsync(ApiMethods.ImageInstall, new InstallParams(location, reboot) { Sha256 = sha256 }, J.InstallParams, J.OkResult, ct);

    public static Task<OkResult> RollbackSoftwareAsync(this ApiClient c, bool reboot, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ImageRollback, new SlotChoiceParams(reboot), J.SlotChoiceParams, J.OkResult, ct);

    public static Task<OkResult> BootOtherSlotAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ImageBootOther, new SlotChoiceParams(true), J.SlotChoiceParams, J.OkResult, ct);

    public static Task<VersionInfo> VersionAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.Version, new Empty(), J.Empty, J.VersionInfo, ct);
    public static Task<UptimeInfo> UptimeAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.Uptime, new Empty(), J.Empty, J.UptimeInfo, ct);
    public static Task<AlarmInfo[]> AlarmsAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.Alarms, new Empty(), J.Empty, J.AlarmInfoArray, ct);
    public static Task<SessionInfo[]> UsersAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.Users, new Empty(), J.Empty, J.SessionInfoArray, ct);
    public static Task<EventInfo[]> LogAsync(this ApiClient c, int count, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.Log, new LogParams(count), J.LogParams, J.EventInfoArray, ct);

    public static Task<MessagesResult> MessagesAsync(this ApiClient c, int count, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.Messages, new LogParams(count), J.LogParams, J.MessagesResult, ct);

    public static Task<ConfigGetResult> GetConfigAsync(this ApiClient c, string source, string[]? path = null, int rollback = 0, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigGet, new ConfigGetParams(source, rollback, path), J.ConfigGetParams, J.ConfigGetResult, ct);
    public static Task<ConfigEnterResult> EnterConfigAsync(this ApiClient c, bool exclusive, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigEnter, new ConfigEnterParams(exclusive), J.ConfigEnterParams, J.ConfigEnterResult, ct);
    public static Task<OkResult> AnnotateAsync(this ApiClient c, string[] path, string comment, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigAnnotate, new AnnotateParams(path, comment), J.AnnotateParams, J.OkResult, ct);
    public static Task<OkResult> ExitConfigAsync(this ApiClient c, bool discard, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigExit, new ConfigExitParams(discard), J.ConfigExitParams, J.OkResult, ct);
    public static Task<OkResult> SetAsync(this ApiClient c, string[] path, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigSet, new PathParams(path), J.PathParams, J.OkResult, ct);
    public static Task<OkResult> DeleteAsync(this ApiClient c, string[] path, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigDelete, new PathParams(path), J.PathParams, J.OkResult, ct);
    public static Task<OkResult> LoadAsync(this ApiClient c, string mode, JsonObject document, string[]? path = null, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigLoad, new ConfigLoadParams(mode, document, path), J.ConfigLoadParams, J.OkResult, ct);
    public static Task<OkResult> RollbackAsync(this ApiClient c, int number, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigRollback, new RollbackParams(number), J.RollbackParams, J.OkResult, ct);
    public static Task<TextResult> CompareAsync(this ApiClient c, int? rollback, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigCompare, new CompareParams(rollback), J.CompareParams, J.TextResult, ct);
    public static Task<OkResult> UpdateAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigUpdate, new Empty(), J.Empty, J.OkResult, ct);
    public static Task<CommitResult> CommitAsync(this ApiClient c, CommitParams p, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigCommit, p, J.CommitParams, J.CommitResult, ct);
    public static Task<RevisionInfo[]> HistoryAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigHistory, new Empty(), J.Empty, J.RevisionInfoArray, ct);
    public static Task<ConfigStatus> ConfigStatusAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ConfigStatus, new Empty(), J.Empty, J.ConfigStatus, ct);

    public static Task<InterfaceInfo[]> InterfacesAsync(this ApiClient c, string? name = null, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.NetworkInterfaces, new InterfacesParams(name), J.InterfacesParams, J.InterfaceInfoArray, ct);
    public static Task<BridgeInfo[]> BridgesAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.NetworkBridges, new Empty(), J.Empty, J.BridgeInfoArray, ct);
    public static Task<MacTableEntry[]> MacTableAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.NetworkMacTable, new Empty(), J.Empty, J.MacTableEntryArray, ct);
    public static Task<SriovPfInfo[]> SriovAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.NetworkSriov, new Empty(), J.Empty, J.SriovPfInfoArray, ct);
    public static Task<ProbeResult> ProbeAsync(this ApiClient c, ProbeParams probe, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.NetworkProbe, probe, J.ProbeParams, J.ProbeResult, ct);

    public static Task<NeighborEntry[]> NeighborsAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.NetworkNeighbors, new Empty(), J.Empty, J.NeighborEntryArray, ct);

    public static Task<LldpNeighborEntry[]> LldpNeighborsAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.NetworkLldp, new Empty(), J.Empty, J.LldpNeighborEntryArray, ct);

    public static Task<RouteEntry[]> RoutesAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.NetworkRoutes, new Empty(), J.Empty, J.RouteEntryArray, ct);
    public static Task<DhcpClientInfo[]> DhcpClientsAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.NetworkDhcp, new Empty(), J.Empty, J.DhcpClientInfoArray, ct);
    public static Task<OkResult> ClearStatisticsAsync(this ApiClient c, string? name, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.NetworkClearStatistics, new InterfacesParams(name), J.InterfacesParams, J.OkResult, ct);

    public static Task<VnfInstanceInfo[]> VnfsAsync(this ApiClient c, string? name = null, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.VnfList, new VnfNameParams(name), J.VnfNameParams, J.VnfInstanceInfoArray, ct);
    public static Task<VnfLogInfo[]> VnfLogAsync(this ApiClient c, string name, int lines = 50, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.VnfLog, new VnfLogParams(name, lines), J.VnfLogParams, J.VnfLogInfoArray, ct);
    public static Task<OkResult> VnfStartAsync(this ApiClient c, string name, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.VnfStart, new VnfNameParams(name), J.VnfNameParams, J.OkResult, ct);
    public static Task<OkResult> VnfStopAsync(this ApiClient c, string name, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.VnfStop, new VnfNameParams(name), J.VnfNameParams, J.OkResult, ct);
    public static Task<OkResult> VnfRestartAsync(this ApiClient c, string name, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.VnfRestart, new VnfNameParams(name), J.VnfNameParams, J.OkResult, ct);
    public static Task<VnfPackageInfo> VnfPackageAddAsync(this ApiClient c, string source, CancellationToken ct = default, string? sha256 = null) =>
        c.CallAsync(ApiMethods.VnfPackageAdd, new VnfPackageAddParams(source, sha256), J.VnfPackageAddParams, J.VnfPackageInfo, ct);
    public static Task<VnfPackageInfo[]> VnfPackagesAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.VnfPackageList, new Empty(), J.Empty, J.VnfPackageInfoArray, ct);
    public static Task<OkResult> VnfPackageDeleteAsync(this ApiClient c, string reference, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.VnfPackageDelete, new VnfPackageDeleteParams(reference), J.VnfPackageDeleteParams, J.OkResult, ct);
    public static Task<ChainInfo[]> ChainsAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.ChainList, new Empty(), J.Empty, J.ChainInfoArray, ct);

    public static Task<CommitResult> ProvisionCommitAsync(this ApiClient c, ProvisionCommitParams p, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.PhonehomeCommit, p, J.ProvisionCommitParams, J.CommitResult, ct);
    public static Task<OkResult> ProvisionConfirmAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.PhonehomeConfirm, new Empty(), J.Empty, J.OkResult, ct);
    public static Task<Hardware> HardwareAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.Hardware, new Empty(), J.Empty, J.Hardware, ct);
    public static Task<EnvironmentInfo> EnvironmentAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.Environment, new Empty(), J.Empty, J.EnvironmentInfo, ct);
    /// <summary>"reboot", "power-off" or "zeroize".</summary>
    public static Task<OkResult> PowerAsync(this ApiClient c, string action, CancellationToken ct = default, string? reason = null) =>
        c.CallAsync(action switch
        {
            "reboot" => ApiMethods.Reboot,
            "power-off" => ApiMethods.PowerOff,
            "zeroize" => ApiMethods.Zeroize,
            _ => throw new ArgumentException($"'{action}' is not reboot, power-off or zeroize", nameof(action))
        }, new PowerParams(reason), J.PowerParams, J.OkResult, ct);
    public static Task<OkResult> ReportZtpAsync(this ApiClient c, ZtpStatusParams status, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.PhonehomeReport, status, J.ZtpStatusParams, J.OkResult, ct);
    public static Task<OkResult> RetryZtpAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.PhonehomeRetry, new Empty(), J.Empty, J.OkResult, ct);
    public static Task<ZtpStatus> ZtpStatusAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.PhonehomeStatus, new Empty(), J.Empty, J.ZtpStatus, ct);
    public static Task<ScriptResult> RunScriptAsync(this ApiClient c, ScriptParams p, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.PhonehomeRunScript, p, J.ScriptParams, J.ScriptResult, ct);
    public static Task<InventoryInfo> InventoryAsync(this ApiClient c, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.PhonehomeInventory, new Empty(), J.Empty, J.InventoryInfo, ct);
    public static Task<OkResult> LoadZtpFileAsync(this ApiClient c, string name, byte[] content, CancellationToken ct = default) =>
        c.CallAsync(ApiMethods.PhonehomeLoadFile, new LoadFileParams(name, content), J.LoadFileParams, J.OkResult, ct);
}
