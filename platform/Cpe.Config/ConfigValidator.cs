using System.Text.Json.Nodes;
using Cpe.Config.Schema;

namespace Cpe.Config;

/// <summary>
/// Checks a whole configuration tree against the schema and reports every broken rule,
/// each with its path, so a technician fixes them all in one go.
/// </summary>
public static class ConfigValidator
{
    public static IReadOnlyList<ConfigError> Validate(JsonObject root)
    {
        var errors = new List<ConfigError>();
        CheckObject(root, ConfigSchema.Root, "", errors);
        return errors;
    }

    static void CheckObject(JsonObject obj, ParentNode schema, string path, List<ConfigError> errors)
    {
        foreach (var (name, value) in obj)
        {
            if (schema is ListNode && name == ListNode.KeyMember) continue;
            string here = Join(path, name);
            if (ConfigAnnotations.IsAnnotation(name))
            {
                if (ConfigAnnotations.Problem(name, value, obj, schema) is string wrong) errors.Add(new ConfigError(here, wrong));
                continue;
            }
            var node = schema.Child(name);
            if (node is null)
            {
                errors.Add(new ConfigError(here, schema.Children.Count == 0
                    ? $"unknown element: '{Display(schema, path)}' takes no settings yet"
                    : $"unknown element; expected one of: {string.Join(", ", schema.Children.Select(c => c.Name))}"));
                continue;
            }
            switch (node)
            {
                case ContainerNode c:
                    if (value is JsonObject o) CheckObject(o, c, here, errors);
                    else errors.Add(new ConfigError(here, "must be an object"));
                    break;
                case ListNode l:
                    CheckList(value, l, here, errors);
                    break;
                case LeafNode leaf:
                    if (UnsafeString(value) is string problem) errors.Add(new ConfigError(here, problem));
                    else if (!leaf.Type.IsValid(value))
                        errors.Add(new ConfigError(here, $"{Shown(value)} {leaf.Type.Rule}"));
                    break;
                case LeafListNode ll:
                    CheckLeafList(value, ll, here, errors);
                    break;
            }
        }
        foreach (var required in schema.Mandatory)
            if (obj[required] is null)
                errors.Add(new ConfigError(Join(path, required), "is mandatory"));
    }

    static void CheckList(JsonNode? value, ListNode list, string path, List<ConfigError> errors)
    {
        if (value is not JsonArray array) { errors.Add(new ConfigError(path, "must be an array of entries")); return; }
        if (array.Count > list.MaxEntries) errors.Add(new ConfigError(path, $"at most {list.MaxEntries} entries"));
        var seen = new HashSet<string>();
        foreach (var item in array)
        {
            if (item is not JsonObject entry) { errors.Add(new ConfigError(path, "each entry must be an object")); continue; }
            if (entry[ListNode.KeyMember] is not JsonValue kv || !kv.TryGetValue(out string? key))
            {
                errors.Add(new ConfigError(path, "each entry needs a \"name\""));
                continue;
            }
            string here = SafeText.Escape(path + " " + TokenText.Quote(key));
            if (SafeText.Problem(key) is string problem) errors.Add(new ConfigError(here, $"the name {problem}"));
            else if (list.KeyType.Parse(key) is null) errors.Add(new ConfigError(here, $"'{key}' {list.KeyType.Rule}"));
            if (!seen.Add(key)) errors.Add(new ConfigError(here, "appears more than once"));
            CheckObject(entry, list, here, errors);
        }
    }

    static void CheckLeafList(JsonNode? value, LeafListNode ll, string path, List<ConfigError> errors)
    {
        if (value is not JsonArray array) { errors.Add(new ConfigError(path, "must be an array of values")); return; }
        if (array.Count > ll.MaxItems) errors.Add(new ConfigError(path, $"at most {ll.MaxItems} values"));
        var seen = new HashSet<string>();
        foreach (var item in array)
        {
            if (UnsafeString(item) is string problem) errors.Add(new ConfigError(path, $"{Shown(item)} {problem}"));
            else if (!ll.Type.IsValid(item)) errors.Add(new ConfigError(path, $"{Shown(item)} {ll.Type.Rule}"));
            else if (!seen.Add(item!.ToJsonString())) errors.Add(new ConfigError(path, $"{Shown(item)} appears more than once"));
        }
    }

    static string? UnsafeString(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out string? s) && SafeText.Problem(s) is string problem ? problem : null;

    // Escaped: a value is echoed to a technician's terminal, which must not run what it carries.
    static string Shown(JsonNode? value) => value is null ? "null" : $"'{SafeText.Escape(value is JsonValue v && v.TryGetValue(out string? s) ? s : value.ToJsonString())}'";
    static string Display(ParentNode schema, string path) => path.Length == 0 ? schema.Name : path;
    static string Join(string a, string b) => a.Length == 0 ? b : a + " " + b;
}
