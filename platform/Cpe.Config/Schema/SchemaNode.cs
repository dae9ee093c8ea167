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
    : ParentNode(name, description, children);

/// <summary>A keyed list: each entry is an object whose key member is "name". JSON: an array of objects.</summary>
public sealed class ListNode(string name, string description, LeafType keyType, params SchemaNode[] children)
    : ParentNode(name, description, children)
{
    public const string KeyMember = "name";
    public LeafType KeyType { get; } = keyType;
    public int MaxEntries { get; init; } = 1024;
}

public sealed class LeafNode(string name, string description, LeafType type) : SchemaNode(name, description)
{
    public LeafType Type { get; } = type;
}

/// <summary>An ordered set of values; "set" adds one, "delete" removes one or all.</summary>
public sealed class LeafListNode(string name, string description, LeafType type) : SchemaNode(name, description)
{
    public LeafType Type { get; } = type;
    public int MaxItems { get; init; } = 64;
}
