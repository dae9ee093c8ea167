namespace Cpe.Platform.Api;

/// <summary>
/// What the local API lets one client hold, so that a hostile local user can neither exhaust cped's
/// descriptors and memory nor lock out root, the console or the phone-home agent
/// (docs/reference/local-api.md, "Limits").
/// </summary>
public sealed record ApiLimits
{
    /// <summary>Open connections of one unprivileged uid.</summary>
    public int ConnectionsPerUser { get; init; } = 16;

    /// <summary>Open connections of all unprivileged uids together.</summary>
    public int UnprivilegedConnections { get; init; } = 64;

    /// <summary>
    /// Open connections of root and the phone-home agent's user: a pool of their own that no other user's
    /// connections count against, so the console and the agent always get through.
    /// </summary>
    public int PrivilegedConnections { get; init; } = 64;

    /// <summary>Channels open at once on one connection (the CLI uses one rpc channel, plus events and logs).</summary>
    public int ChannelsPerConnection { get; init; } = 8;

    /// <summary>How long a new connection may take to send its first request before it is dropped.</summary>
    public TimeSpan FirstRequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public static readonly ApiLimits Default = new();

    /// <summary>Throws ArgumentException naming the first limit that is not positive.</summary>
    public ApiLimits Validated()
    {
        if (ConnectionsPerUser < 1) throw new ArgumentException("--api-connections-per-user must be at least 1");
        if (UnprivilegedConnections < 1) throw new ArgumentException("--api-connections must be at least 1");
        if (PrivilegedConnections < 1) throw new ArgumentException("the privileged connection pool must be at least 1");
        if (ChannelsPerConnection < 1) throw new ArgumentException("channels per connection must be at least 1");
        if (FirstRequestTimeout <= TimeSpan.Zero) throw new ArgumentException("--api-first-request-timeout must be positive");
        return this;
    }
}
