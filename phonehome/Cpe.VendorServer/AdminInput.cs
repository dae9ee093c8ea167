using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.VendorServer;

/// <summary>
/// Checks of what an operator sends the admin API, so that a mistake is a 400 at publish and never a 500 at every
/// later check-in. Configurations are checked with the device's own schema code (Cpe.Config), as cped would.
/// </summary>
public static class AdminInput
{
    /// <summary>Names of bundles, images and their OS fields: 1 to 128 letters, digits, '.', '_', '+', '-', not starting with '.'.</summary>
    public static string? NameProblem(string? name, string what) =>
        name is { Length: >= 1 and <= 128 } && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+')
            ? null : $"{what} must be 1 to 128 letters, digits, '.', '_', '+' or '-', not starting with '.'";

    /// <summary>The errors cped's commit check would report for this document, as one message; null when it is valid.</summary>
    public static string? ConfigurationProblem(JsonObject configuration)
    {
        try
        {
            var errors = ConfigValidator.Validate(ConfigDocument.Parse(configuration.ToJsonString()));
            return errors.Count == 0 ? null : "the configuration is invalid: " + string.Join("; ", errors);
        }
        catch (ConfigException e) { return "the configuration is invalid: " + e.Message; }
    }

    /// <summary>VNF package versions wanted: an array of {"name": package name, "version": text}, each name once.</summary>
    public static string? VnfsProblem(JsonArray vnfs)
    {
        var seen = new HashSet<string>();
        foreach (var item in vnfs)
        {
            if (item is not JsonObject o || o.Count != 2
                || o["name"] is not JsonValue n || !n.TryGetValue(out string? name)
                || o["version"] is not JsonValue v || !v.TryGetValue(out string? version))
                return "vnfs must be an array of {\"name\": NAME, \"version\": VERSION} objects";
            if (NameProblem(name, "a VNF package name") is string bad) return bad;
            if (NameProblem(version, "a VNF package version") is string badVersion) return badVersion;
            if (!seen.Add(name)) return $"vnfs names {name} more than once";
        }
        return null;
    }
}
