namespace Cpe.Config;

/// <summary>One broken rule: where (a schema path such as "system host-name") and what rule.</summary>
public sealed record ConfigError(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}

/// <summary>A request that cannot be carried out on the configuration; carries every error found.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join("\n", errors.Select(e => e.ToString())))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;

    public ConfigException(string path, string message) : this([new ConfigError(path, message)]) { }
}
