using Cpe.Api;
using Cpe.Config;
using Cpe.Platform.Configuration;

namespace Cpe.Platform.Api;

/// <summary>The session.* methods of the local API: who a client is, which configured user it acts as, logins.</summary>
public sealed class SessionMethods(ConfigEngine engine)
{
    static ApiJsonContext J => ApiJsonContext.Default;

    public void AddMethods(MethodTable t)
    {
        t.Add(ApiMethods.Hello, Access.Anyone, J.HelloParams, J.Identity, (s, p, _) =>
        {
            s.Client = p.Client;
            return Task.FromResult(IdentityOf(s));
        });
        t.Add(ApiMethods.WhoAmI, Access.Anyone, J.Empty, J.Identity, (s, _, _) => Task.FromResult(IdentityOf(s)));
        t.Add(ApiMethods.Assume, Access.Root, J.AssumeParams, J.Identity, (s, p, _) =>
        {
            var role = RoleResolver.ConfiguredRole(p.User, engine.Active());
            if (role == Role.None) throw new RpcException(RpcErrorCodes.NotFound, $"user '{p.User}' is not a configured login user");
            s.Assume(p.User, role);
            return Task.FromResult(IdentityOf(s));
        });
        t.Add(ApiMethods.Authenticate, Access.Root, J.AuthenticateParams, J.OkResult, (_, p, _) => Task.FromResult(Authenticate(p)));
    }

    static Identity IdentityOf(ApiSession s) => new(s.User, RoleResolver.Name(s.Role), s.Peer.Uid, s.CanAssume);

    OkResult Authenticate(AuthenticateParams p)
    {
        var active = engine.Active();
        var users = ConfigTree.Get(active, ConfigPath.Parse(["system", "login", "user"], false)) as System.Text.Json.Nodes.JsonArray;
        // A box with no login users (factory default) lets root in on the console, as Junos does.
        if (users is null || users.Count == 0)
            return p.User == "root" ? new OkResult(true, "no login users are configured") : Refuse();
        var entry = ConfigTree.FindEntry(users, p.User);
        string? hash = entry?["authentication"]?["encrypted-password"]?.GetValue<string>();
        if (hash is null || !PasswordHash.Verify(p.Password, hash)) return Refuse();
        return new OkResult(true);
    }

    static OkResult Refuse() => throw new RpcException(RpcErrorCodes.AuthenticationFailed, "login incorrect");
}
