using System.Text.Json.Serialization;

namespace Cpe.Vnf.Runtime;

/// <summary>
/// The part of the OCI runtime spec (config.json of a bundle) our launcher implements (docs/reference/vnf-runtime.md).
/// The bundles the platform writes use only this part, so runc and crun run the same bundle.
/// </summary>
public sealed record RuntimeSpec(
    [property: JsonPropertyName("ociVersion")] string OciVersion,
    [property: JsonPropertyName("process")] SpecProcess Process,
    [property: JsonPropertyName("root")] SpecRoot Root,
    [property: JsonPropertyName("hostname")] string? Hostname,
    [property: JsonPropertyName("mounts")] List<SpecMount> Mounts,
    [property: JsonPropertyName("linux")] SpecLinux Linux);

public sealed record SpecProcess(
    [property: JsonPropertyName("terminal")] bool Terminal,
    [property: JsonPropertyName("user")] SpecUser User,
    [property: JsonPropertyName("args")] List<string> Args,
    [property: JsonPropertyName("env")] List<string> Env,
    [property: JsonPropertyName("cwd")] string Cwd,
    [property: JsonPropertyName("capabilities")] SpecCapabilities Capabilities,
    [property: JsonPropertyName("noNewPrivileges")] bool NoNewPrivileges);

public sealed record SpecUser(
    [property: JsonPropertyName("uid")] uint Uid,
    [property: JsonPropertyName("gid")] uint Gid,
    [property: JsonPropertyName("additionalGids"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<uint>? AdditionalGids = null);

public sealed record SpecCapabilities(
    [property: JsonPropertyName("bounding")] List<string> Bounding,
    [property: JsonPropertyName("effective")] List<string> Effective,
    [property: JsonPropertyName("permitted")] List<string> Permitted,
    [property: JsonPropertyName("inheritable")] List<string> Inheritable,
    [property: JsonPropertyName("ambient")] List<string> Ambient);

public sealed record SpecRoot(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("readonly")] bool Readonly);

public sealed record SpecMount(
    [property: JsonPropertyName("destination")] string Destination,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("options")] List<string> Options);

public sealed record SpecLinux(
    [property: JsonPropertyName("namespaces")] List<SpecNamespace> Namespaces,
    [property: JsonPropertyName("cgroupsPath")] string CgroupsPath,
    [property: JsonPropertyName("resources")] SpecResources Resources,
    [property: JsonPropertyName("maskedPaths")] List<string> MaskedPaths,
    [property: JsonPropertyName("readonlyPaths")] List<string> ReadonlyPaths,
    [property: JsonPropertyName("seccomp"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SpecSeccomp? Seccomp);

public sealed record SpecNamespace(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("path"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Path = null);

public sealed record SpecResources(
    [property: JsonPropertyName("cpu"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SpecCpu? Cpu,
    [property: JsonPropertyName("memory"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SpecMemory? Memory,
    [property: JsonPropertyName("pids"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SpecPids? Pids,
    [property: JsonPropertyName("unified"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, string>? Unified = null);

public sealed record SpecCpu(
    [property: JsonPropertyName("shares"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ulong? Shares,
    [property: JsonPropertyName("quota"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Quota,
    [property: JsonPropertyName("period"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ulong? Period,
    [property: JsonPropertyName("cpus"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Cpus);

public sealed record SpecMemory(
    [property: JsonPropertyName("limit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Limit,
    [property: JsonPropertyName("reservation"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Reservation,
    [property: JsonPropertyName("swap"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Swap = null);

public sealed record SpecPids([property: JsonPropertyName("limit")] long Limit);

public sealed record SpecSeccomp(
    [property: JsonPropertyName("defaultAction")] string DefaultAction,
    [property: JsonPropertyName("architectures")] List<string> Architectures,
    [property: JsonPropertyName("syscalls")] List<SpecSyscallRule> Syscalls);

public sealed record SpecSyscallRule(
    [property: JsonPropertyName("names")] List<string> Names,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("errnoRet"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] uint? ErrnoRet = null,
    [property: JsonPropertyName("args"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<SpecSyscallArg>? Args = null);

public sealed record SpecSyscallArg(
    [property: JsonPropertyName("index")] uint Index,
    [property: JsonPropertyName("value")] ulong Value,
    [property: JsonPropertyName("valueTwo")] ulong ValueTwo,
    [property: JsonPropertyName("op")] string Op);

[JsonSourceGenerationOptions(AllowDuplicateProperties = false, WriteIndented = true)]
[JsonSerializable(typeof(RuntimeSpec))]
public sealed partial class RuntimeSpecJson : JsonSerializerContext;
