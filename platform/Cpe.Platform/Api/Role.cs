using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.Platform.Api;

/// <summary>What a caller may do. See docs/reference/local-api.md, "Roles".</summary>
public enum Role { None, Phonehome, Operator, Admin }

/// <summary>What a method requires of the caller.</summary>
public enum Access
{
    /// <summary>Any connected peer, even one without a role (hello, whoami).</summary>
    Anyone,
    /// <summary>Operator or admin.</summary>
    Read,
    /// <summary>What zero-touch provisioning reads (the DHCP options): the phone-home agent, an operator or an admin.</summary>
    Provisioning,
    /// <summary>Admin only.</summary>
    Configure,
    /// <summary>What only the phone-home agent (or an admin) does: commit what the vendor server sent, run its scripts.</summary>
    Provision,
    /// <summary>A peer running as uid 0 that has not assumed another user: the console's login program.</summary>
    Root,
}

/// <summary>Maps a peer (by SO_PEERCRED uid) to a user name and a role from the configured login users.</summary>
public sealed class RoleResolver(string passwdPath, string phonehomeUser)
{
    public (string User, Role Role) Resolve(uint uid, JsonObject active)
    {
        if (uid == 0) return ("root", Role.Admin);
        string? name = Cpe.Interop.Users.NameOf(uid, passwdPath);
        if (name is null) return ($"uid {uid}", Role.None);
        if (name == phonehomeUser) return (name, Role.Phonehome);
        return (name, ConfiguredRole(name, active));
    }

    public static Role ConfiguredRole(string user, JsonObject active) =>
        ConfigTree.Get(active, ConfigPath.Parse(["system", "login", "user", user, "class"], false))?.GetValue<string>() switch
        {
            "admin" => Role.Admin,
            "operator" => Role.Operator,
            _ => Role.None,
        };

    public static bool Allows(Role role, Access access) => access switch
    {
        Access.Anyone => true,
        Access.Read => role is Role.Operator or Role.Admin,
        Access.Provisioning => role is Role.Phonehome or Role.Operator or Role.Admin,
        Access.Configure => role is Role.Admin,
        Access.Provision => role is Role.Phonehome or Role.Admin,
        _ => false,
    };

    public static string Name(Role role) => role switch
    {
        Role.Admin => "admin",
        Role.Operator => "operator",
        Role.Phonehome => "phonehome",
        _ => "none",
    };
}
