namespace Cpe.Api;

/// <summary>Method and channel names of the local API (docs/reference/local-api.md).</summary>
public static class ApiMethods
{
    public const string Hello = "session.hello";
    public const string WhoAmI = "session.whoami";
    public const string Assume = "session.assume";
    public const string Authenticate = "system.authenticate";
    public const string Version = "system.version";
    public const string Uptime = "system.uptime";
    public const string Alarms = "system.alarms";
    public const string Users = "system.users";
    public const string Log = "system.log";
    public const string Messages = "system.messages";
    public const string Hardware = "system.hardware";
    public const string Environment = "system.environment";
    public const string Reboot = "system.reboot";
    public const string PowerOff = "system.power-off";
    public const string Zeroize = "system.zeroize";
    public const string DebugHang = "debug.hang";

    public const string ImageStatus = "image.status";
    public const string ImageInstall = "image.install";
    public const string ImageRollback = "image.rollback";
    public const string ImageBootOther = "image.boot-other";

    public const string ConfigGet = "config.get";
    public const string ConfigEnter = "config.enter";
    public const string ConfigExit = "config.exit";
    public const string ConfigSet = "config.set";
    public const string ConfigDelete = "config.delete";
    public const string ConfigAnnotate = "config.annotate";
    public const string ConfigLoad = "config.load";
    public const string ConfigRollback = "config.rollback";
    public const string ConfigCompare = "config.compare";
    public const string ConfigCommit = "config.commit";
    public const string ConfigUpdate = "config.update";
    public const string ConfigHistory = "config.history";
    public const string ConfigStatus = "config.status";

    public const string NetworkInterfaces = "network.interfaces";
    public const string NetworkBridges = "network.bridges";
    public const string NetworkMacTable = "network.mac-table";
    public const string NetworkSriov = "network.sriov";
    public const string NetworkRoutes = "network.routes";
    public const string NetworkDhcp = "network.dhcp";
    public const string NetworkClearStatistics = "network.clear-statistics";
    public const string NetworkProbe = "network.probe";
    public const string NetworkNeighbors = "network.neighbors";
    public const string NetworkLldp = "network.lldp";

    public const string VnfList = "vnf.list";
    public const string VnfLog = "vnf.log";
    public const string VnfStart = "vnf.start";
    public const string VnfStop = "vnf.stop";
    public const string VnfRestart = "vnf.restart";
    public const string VnfPackageAdd = "vnf.package.add";
    public const string VnfPackageList = "vnf.package.list";
    public const string VnfPackageDelete = "vnf.package.delete";
    public const string ChainList = "chain.list";

    public const string PhonehomeCommit = "phonehome.commit";
    public const string PhonehomeConfirm = "phonehome.confirm";
    public const string PhonehomeReport = "phonehome.report";
    public const string PhonehomeStatus = "phonehome.status";
    public const string PhonehomeRetry = "phonehome.retry";
    public const string PhonehomeRunScript = "phonehome.run-script";
    public const string PhonehomeInventory = "phonehome.inventory";
    public const string PhonehomeLoadFile = "phonehome.load-file";

    public const string RpcChannel = "rpc";
    public const string EventsChannel = "events";
    /// <summary>The event "request system zero-touch retry" records; the phone-home agent waits for it between rounds.</summary>
    public const string ZtpRetryEvent = "ztp-retry";
    public const string LogsChannel = "logs";

    /// <summary>Largest JSON-RPC message either side accepts; larger ones get an error, not a crash.</summary>
    public const int MaxMessageBytes = 1 << 20;
}

/// <summary>JSON-RPC error codes: the standard ones and the platform's own (-32000 and below).</summary>
public static class RpcErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    public const int ConfigInvalid = -32000;
    public const int PermissionDenied = -32001;
    public const int Locked = -32002;
    public const int CommitFailed = -32003;
    public const int NotConfiguring = -32004;
    public const int MessageTooLarge = -32005;
    public const int ShuttingDown = -32006;
    public const int NotFound = -32007;
    public const int AuthenticationFailed = -32008;
    /// <summary>A firmware bundle that must not be installed (signature, board, anti-rollback floor, hashes); the message says why.</summary>
    public const int BundleRefused = -32009;
    /// <summary>The box has no A/B slots (the simulated board), or another install runs.</summary>
    public const int ImageUnavailable = -32010;
    /// <summary>A revision was committed after the candidate was started (zero-touch, the fleet, an automatic rollback): "update" or "rollback 0" first.</summary>
    public const int ConfigModified = -32011;
    /// <summary>A bounded resource is in use by other requests (the raw sockets of running probes): try again shortly.</summary>
    public const int Busy = -32012;
    /// <summary>A download did not complete (the server's answer, the network): the same request may work later.</summary>
    public const int DownloadFailed = -32013;
}
