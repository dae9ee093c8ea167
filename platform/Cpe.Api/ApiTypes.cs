using System.Text.Json.Nodes;

namespace Cpe.Api;

// Parameters and results of the local API methods. Field names travel in camelCase.

public sealed record Empty;
public sealed record OkResult(bool Ok, string? Message = null);
public sealed record HelloParams(string Client);
public sealed record Identity(string User, string Role, uint Uid, bool CanAssume);
public sealed record AssumeParams(string User);
public sealed record AuthenticateParams(string User, string Password);

public sealed record VersionInfo(string Product, string Version, string Model, string SchemaVersion, string Runtime);
public sealed record UptimeInfo(DateTimeOffset Now, DateTimeOffset BootedAt, DateTimeOffset DaemonStartedAt, DateTimeOffset? LastCommitAt, string? LastCommitBy, double[] LoadAverage);
public sealed record AlarmInfo(long Id, string Severity, string Type, string Text, DateTimeOffset RaisedAt);
public sealed record SessionInfo(int Id, string User, string Role, int Pid, string Client, DateTimeOffset ConnectedAt, double IdleSeconds, string Mode);
public sealed record LogParams(int Count);

/// <summary>The newest lines of the platform's log file (system.messages), oldest first; File is null when cped keeps none.</summary>
public sealed record MessagesResult(string? File, string[] Lines);
public sealed record EventInfo(long Id, DateTimeOffset Time, string Type, string Text);

public sealed record ConfigGetParams(string Source, int Rollback = 0, string[]? Path = null);
public sealed record ConfigGetResult(JsonObject Document, JsonNode? Subtree, bool Exists);
public sealed record ConfigEnterParams(bool Exclusive);
public sealed record ConfigEnterResult(string[] Warnings);
public sealed record ConfigExitParams(bool Discard);
public sealed record PathParams(string[] Path);

/// <summary>config.annotate: the statement (a path in the candidate) and its comment; "" removes it.</summary>
public sealed record AnnotateParams(string[] Path, string Comment);
public sealed record ConfigLoadParams(string Mode, JsonObject Document, string[]? Path = null);
public sealed record RollbackParams(int Number);
public sealed record CompareParams(int? Rollback);
public sealed record TextResult(string Text);
public sealed record CommitParams(bool Check = false, int? ConfirmMinutes = null, string? Comment = null);
public sealed record CommitResult(long Revision, string Message, DateTimeOffset? ConfirmBy);
public sealed record RevisionInfo(int Number, long Id, DateTimeOffset Time, string Author, string Source, string? Comment, DateTimeOffset? ConfirmBy);
public sealed record ConfigStatus(bool Configuring, bool Exclusive, bool HasChanges, string? LockedBy, string[] Editors);

/// <summary>A message on the "events" channel: commits, alarms, state changes.</summary>
public sealed record ApiEvent(long Id, DateTimeOffset Time, string Type, string Text);

/// <summary>A structured log line on the "logs" channel.</summary>
public sealed record LogLine(DateTimeOffset Time, string Level, string Category, int EventId, string Message);

/// <summary>The "error" member of a JSON-RPC response; Data carries per-path configuration errors.</summary>
public sealed record RpcErrorBody(int Code, string Message, RpcErrorData? Data = null);
public sealed record RpcErrorData(ErrorItem[]? Errors = null, string? Subsystem = null);
public sealed record ErrorItem(string Path, string Message);
