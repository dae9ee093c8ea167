using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cpe.Platform.Api;

/// <summary>
/// Password hashes are shown to admins only, as Junos hides secret data from classes without the secret permission:
/// an operator reading the configuration (the tree, a rollback, a comparison) sees <see cref="Hidden"/> in their place.
/// A hash is not the password, but it can be attacked offline.
/// </summary>
public static partial class SecretData
{
    public const string Hidden = "/* SECRET-DATA */";
    const string Leaf = "encrypted-password";

    public static bool Hides(Role role) => role != Role.Admin && role != Role.Phonehome;

    /// <summary>A copy of <paramref name="node"/> with every password hash replaced.</summary>
    public static JsonNode? Redact(JsonNode? node)
    {
        var copy = node?.DeepClone();
        Replace(copy);
        return copy;
    }

    static void Replace(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var name in o.Select(p => p.Key).ToList())
                    if (name == Leaf && o[name] is JsonValue) o[name] = Hidden;
                    else Replace(o[name]);
                break;
            case JsonArray a:
                foreach (var item in a) Replace(item);
                break;
        }
    }

    /// <summary>The configuration as text (show | compare) with each password hash replaced.</summary>
    public static string Redact(string text) => HashInText().Replace(text, "${leaf} " + Hidden);

    [GeneratedRegex(@"(?<leaf>encrypted-password)\s+(""[^""\n]*""|[^\s;""]+)")]
    private static partial Regex HashInText();
}
