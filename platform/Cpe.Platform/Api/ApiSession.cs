using Cpe.Interop;
using Cpe.Platform.Configuration;
using Cpe.Platform.State;

namespace Cpe.Platform.Api;

/// <summary>One client connection: who is at the other end and what they are doing.</summary>
public sealed class ApiSession(int id, PeerCredentials peer, string user, Role role, DateTimeOffset connectedAt)
{
    public int Id { get; } = id;
    public PeerCredentials Peer { get; } = peer;
    public string User { get; private set; } = user;
    public Role Role { get; private set; } = role;
    public string Client { get; set; } = "unknown";
    public DateTimeOffset ConnectedAt { get; } = connectedAt;
    public DateTimeOffset LastActivity { get; private set; } = connectedAt;

    readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the client sends its first request (a connection that never does is dropped).</summary>
    public Task FirstRequest => _firstRequest.Task;

    public void Touch(DateTimeOffset now)
    {
        LastActivity = now;
        _firstRequest.TrySetResult();
    }

    /// <summary>True once a root peer has become a configured user (the console after login).</summary>
    public bool Assumed { get; private set; }

    public bool CanAssume => Peer.Uid == 0 && !Assumed;

    public void Assume(string user, Role role)
    {
        User = user;
        Role = role;
        Assumed = true;
    }

    /// <summary>The CLI commits as "cli"; other programs as "api" (phone-home gets "ztp" and "fleet" later).</summary>
    public Editor Editor => new(Id, User, Client == "cpe" ? ConfigSources.Cli : ConfigSources.Api);
}
