using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cpe.Api;

/// <summary>Source-generated serialization for every API type: no reflection under NativeAOT.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Empty))]
[JsonSerializable(typeof(OkResult))]
[JsonSerializable(typeof(HelloParams))]
[JsonSerializable(typeof(Identity))]
[JsonSerializable(typeof(AssumeParams))]
[JsonSerializable(typeof(AuthenticateParams))]
[JsonSerializable(typeof(VersionInfo))]
[JsonSerializable(typeof(UptimeInfo))]
[JsonSerializable(typeof(AlarmInfo[]))]
[JsonSerializable(typeof(SessionInfo[]))]
[JsonSerializable(typeof(LogParams))]
[JsonSerializable(typeof(EventInfo[]))]
[JsonSerializable(typeof(ConfigGetParams))]
[JsonSerializable(typeof(ConfigGetResult))]
[JsonSerializable(typeof(ConfigEnterParams))]
[JsonSerializable(typeof(ConfigEnterResult))]
[JsonSerializable(typeof(ConfigExitParams))]
[JsonSerializable(typeof(PathParams))]
[JsonSerializable(typeof(ConfigLoadParams))]
[JsonSerializable(typeof(RollbackParams))]
[JsonSerializable(typeof(CompareParams))]
[JsonSerializable(typeof(TextResult))]
[JsonSerializable(typeof(CommitParams))]
[JsonSerializable(typeof(CommitResult))]
[JsonSerializable(typeof(RevisionInfo[]))]
[JsonSerializable(typeof(ConfigStatus))]
[JsonSerializable(typeof(ApiEvent))]
[JsonSerializable(typeof(LogLine))]
[JsonSerializable(typeof(RpcErrorBody))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
