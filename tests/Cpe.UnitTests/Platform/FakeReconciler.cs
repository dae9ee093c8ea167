using System.Text.Json.Nodes;
using Cpe.Config;
using Cpe.Platform.Configuration;

namespace Cpe.UnitTests.Platform;

/// <summary>Records what it was asked to apply; fails when told to, for one tree or always.</summary>
public sealed class FakeReconciler(string subsystem) : IReconciler
{
    public string Subsystem => subsystem;
    public List<string?> Applied { get; } = [];
    public Func<JsonObject, bool> FailWhen { get; set; } = _ => false;

    /// <summary>A tree this subsystem refuses at check, as a board that lacks a port refuses it: nothing of it is applied.</summary>
    public Func<JsonObject, bool> RefuseWhen { get; set; } = _ => false;

    /// <summary>The host name of the tree last applied: what this subsystem now has in force.</summary>
    public string? Current => Applied.Count == 0 ? null : Applied[^1];

    /// <summary>Trees prepared, in order: once per commit, restore and start.</summary>
    public int Prepared { get; private set; }

    public PreparedConfig Prepare(JsonObject next)
    {
        Prepared++;
        string? hostName = next["system"]?["host-name"]?.GetValue<string>();
        if (RefuseWhen(next)) return PreparedConfig.Refused([new ConfigError(subsystem, $"{subsystem} cannot take host name {hostName}")]);
        return PreparedConfig.Ready(_ =>
        {
            if (FailWhen(next)) throw new InvalidOperationException($"{subsystem} refuses this configuration");
            Applied.Add(hostName);
            return Task.CompletedTask;
        }, () =>
        {
            Checked++;
            return [];
        });
    }

    /// <summary>Checks of what the box allows run so far: a commit's, never a restore's or the start's.</summary>
    public int Checked { get; private set; }
}

/// <summary>The kernel host name, in memory.</summary>
public sealed class FakeHostName : IHostNameKernel
{
    public string Name { get; set; } = "localhost";
    public int Sets { get; private set; }
    public string Get() => Name;
    public void Set(string name) { Name = name; Sets++; }
}
