using System.Text.Json.Serialization;

namespace Cpe.Vnf.Packages;

/// <summary>The media types of the OCI image spec that a VNF package may use.</summary>
public static class OciMediaTypes
{
    public const string Index = "application/vnd.oci.image.index.v1+json";
    public const string Manifest = "application/vnd.oci.image.manifest.v1+json";
    public const string Config = "application/vnd.oci.image.config.v1+json";
    public const string Layer = "application/vnd.oci.image.layer.v1.tar";
    public const string LayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    // Docker's names for the same things, which skopeo keeps when it copies without conversion.
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    public static bool IsManifest(string? type) => type is Manifest or DockerManifest;
    public static bool IsConfig(string? type) => type is Config or DockerConfig;
}

/// <summary>An OCI content descriptor: what a blob is, its digest and its size.</summary>
public sealed record OciDescriptor(
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("digest")] string Digest,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("annotations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, string>? Annotations = null);

/// <summary>index.json of an image layout.</summary>
public sealed record OciIndex(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("manifests")] List<OciDescriptor> Manifests,
    [property: JsonPropertyName("mediaType"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MediaType = null);

/// <summary>An image manifest: its config and its layers, lowest first.</summary>
public sealed record OciManifest(
    [property: JsonPropertyName("schemaVersion")] int SchemaVersion,
    [property: JsonPropertyName("config")] OciDescriptor Config,
    [property: JsonPropertyName("layers")] List<OciDescriptor> Layers,
    [property: JsonPropertyName("mediaType"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MediaType = null,
    [property: JsonPropertyName("annotations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, string>? Annotations = null);

/// <summary>The image configuration; only the parts a VNF launch uses are read, the rest is kept by its digest.</summary>
public sealed record OciImageConfig(
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("config")] OciProcessConfig? Config,
    [property: JsonPropertyName("rootfs")] OciRootFs RootFs,
    [property: JsonPropertyName("created"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Created = null);

public sealed record OciProcessConfig(
    [property: JsonPropertyName("User"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? User = null,
    [property: JsonPropertyName("Env"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<string>? Env = null,
    [property: JsonPropertyName("Entrypoint"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<string>? Entrypoint = null,
    [property: JsonPropertyName("Cmd"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<string>? Cmd = null,
    [property: JsonPropertyName("WorkingDir"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorkingDir = null,
    [property: JsonPropertyName("Labels"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, string>? Labels = null);

/// <summary>The uncompressed digests of the layers (diff ids), lowest first.</summary>
public sealed record OciRootFs(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("diff_ids")] List<string> DiffIds);

/// <summary>The oci-layout file.</summary>
public sealed record OciLayoutFile([property: JsonPropertyName("imageLayoutVersion")] string ImageLayoutVersion);

[JsonSourceGenerationOptions(AllowDuplicateProperties = false, WriteIndented = false)]
[JsonSerializable(typeof(OciIndex))]
[JsonSerializable(typeof(OciManifest))]
[JsonSerializable(typeof(OciImageConfig))]
[JsonSerializable(typeof(OciLayoutFile))]
[JsonSerializable(typeof(OciProcessConfig))]
public sealed partial class OciJson : JsonSerializerContext
{
    /// <summary>For writing: "+" in media types stays "+" (the default escapes it), which the strict index check requires.</summary>
    public static OciJson Plain { get; } = new(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
