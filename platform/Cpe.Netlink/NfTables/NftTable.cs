namespace Cpe.Netlink.NfTables;

/// <summary>A rule: expressions run in order; the first that does not match ends it. The comment shows in "nft list ruleset".</summary>
public sealed record NftRule(IReadOnlyList<NftExpression> Expressions, string? Comment = null);

/// <summary>
/// A chain of the table. With <see cref="IngressDevice"/> it is a base chain on that device's netdev ingress hook (the
/// first thing to see a frame the device received); without, a chain reached only by jumps.
/// </summary>
public sealed record NftChain(string Name, IReadOnlyList<NftRule> Rules, string? IngressDevice = null, int Priority = 0);

/// <summary>A netdev-family table: what <see cref="NfTables.Replace"/> puts in the kernel in one transaction.</summary>
public sealed record NftTable(string Name, IReadOnlyList<NftChain> Chains);
