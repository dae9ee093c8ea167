using System.Text.Json.Nodes;

namespace Cpe.Config.Schema;

/// <summary>One named element of the configuration schema. Descriptions feed the CLI's "?" help.</summary>
public abstract class SchemaNode(string name, string description)
{
    public string Name { get; } = name;
    public string Description { get; } = description;
}

/// <summary>A node that holds named children: a container or a list entry.</summary>
public abstract class ParentNode(string name, string description, IReadOnlyList<SchemaNode> children)
    : SchemaNode(name, description)
{
    public IReadOnlyList<SchemaNode> Children { get; } = children;

    /// <summary>Leaves that must be present in every instance.</summary>
    public IReadOnlyList<string> Mandatory { get; init; } = [];

    public SchemaNode? Child(string name) => Children.FirstOrDefault(c => c.Name == name);
}

public sealed class ContainerNode(string name, string description, params SchemaNode[] children)
    : ParentNode(name, description, children)
{
    /// <summary>This container in <paramref name="parent"/> (a validated tree), or null when absent.</summary>
    public JsonObject? In(JsonObject? parent) => parent?[Name] as JsonObject;
}

/// <summary>A keyed list: each entry is an object whose key member is "name". JSON: an array of objects.</summary>
public sealed class ListNode(string name, string description, LeafType keyType, params SchemaNode[] children)
    : ParentNode(name, description, children)
{
    public const string KeyMember = "name";
    public LeafType KeyType { get; } = keyType;
    public int MaxEntries { get; init; } = 1024;

    /// <summary>This list's entries in <paramref name="parent"/> (a validated tree); none when absent.</summary>
    public IEnumerable<JsonObject> Entries(JsonObject? parent) => parent?[Name] is JsonArray a ? a.OfType<JsonObject>() : [];

    /// <summary>An entry's key, as text.</summary>
    public static string Key(JsonObject entry) => entry[KeyMember]!.GetValue<string>();
}

/// <summary>
/// A single value. Readers of a validated tree take it through the typed accessors, which give <see cref="Default"/>
/// for an absent leaf: the schema is the one place a leaf's name and default are written (the description says the
/// default to a person; a unit test keeps the two in step).
/// </summary>
public sealed class LeafNode(string name, string description, LeafType type) : SchemaNode(name, description)
{
    public LeafType Type { get; } = type;

    /// <summary>What an absent leaf means (a string, a long or a bool, as the JSON holds it); null: absent means unset.</summary>
    public object? Default { get; init; }

    public string? Text(JsonObject? parent) => parent?[Name] is JsonValue v && v.TryGetValue(out string? s) ? s : (string?)Default;

    public long? Integer(JsonObject? parent) => (parent?[Name] as JsonValue)?.AsInteger() ?? (long?)Default;

    public bool? Flag(JsonObject? parent) => parent?[Name] is JsonValue v && v.TryGetValue(out bool b) ? b : (bool?)Default;
}

/// <summary>An ordered set of values; "set" adds one, "delete" removes one or all.</summary>
public sealed class LeafListNode(string name, string description, LeafType type) : SchemaNode(name, description)
{
    public LeafType Type { get; } = type;
    public int MaxItems { get; init; } = 64;

    /// <summary>The text values in <paramref name="parent"/> (a validated tree); none when absent.</summary>
    public IEnumerable<string> Texts(JsonObject? parent) =>
        parent?[Name] is JsonArray a ? a.OfType<JsonValue>().Select(v => v.TryGetValue(out string? s) ? s : null).OfType<string>() : [];

    /// <summary>The integer values in <paramref name="parent"/> (a validated tree); none when absent.</summary>
    public IEnumerable<long> Integers(JsonObject? parent) =>
        parent?[Name] is JsonArray a ? a.OfType<JsonValue>().Select(v => v.AsInteger()).OfType<long>() : [];
}

static class JsonIntegers
{
    /// <summary>The value as a long, whether the tree holds it as a long (parsed JSON) or an int (built in code); null when it is no integer.</summary>
    public static long? AsInteger(this JsonValue value) => value.TryGetValue(out long l) ? l : value.TryGetValue(out int i) ? i : null;
}
