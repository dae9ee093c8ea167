using System.Reflection;
using EventInfo = Cpe.Api.EventInfo;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cpe.Api;
using Cpe.Config;
using Cpe.Config.Schema;
using Cpe.Platform.Configuration;
using Cpe.Platform.State;

namespace Cpe.Platform.Api;

/// <summary>The session.*, system.* and config.* methods of the local API.</summary>
public sealed class PlatformMethods(ConfigEngine engine, StateStore store, SessionRegistry sessions, SystemInfo system, TimeProvider clock, string model, DateTimeOffset startedAt)
{
    static ApiJsonContext J => ApiJsonContext.Default;

    /// <summary>The firmware image's version on the box (its os-release); the build's version elsewhere.</summary>
    public static string ProductVersion => Cpe.Image.Slots.FirmwareRelease.Running?.Version ??
        typeof(PlatformMethods).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public MethodTable Build()
    {
        var t = new MethodTable();
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

        t.Add(ApiMethods.Version, Access.Read, J.Empty, J.VersionInfo, (_, _, _) => Task.FromResult(new VersionInfo(
            "CPE firmware", ProductVersion, model, ConfigSchema.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            RuntimeInformation.FrameworkDescription + (RuntimeFeature.IsDynamicCodeSupported ? " (JIT)" : " (NativeAOT)"))));
        t.Add(ApiMethods.Uptime, Access.Read, J.Empty, J.UptimeInfo, (_, _, _) =>
        {
            var last = store.Active();
            return Task.FromResult(new UptimeInfo(clock.GetUtcNow(), system.BootTime(), startedAt, last?.CreatedAt, last?.Author, system.LoadAverage()));
        });
        t.Add(ApiMethods.Alarms, Access.Read, J.Empty, J.AlarmInfoArray, (_, _, _) => Task.FromResult(
            store.ActiveAlarms().Select(a => new AlarmInfo(a.Id, a.Severity, a.Type, a.Text, a.RaisedAt)).ToArray()));
        t.Add(ApiMethods.Users, Access.Read, J.Empty, J.SessionInfoArray, (_, _, _) => Task.FromResult(sessions.Describe(engine, clock.GetUtcNow())));
        t.Add(ApiMethods.Log, Access.Read, J.LogParams, J.EventInfoArray, (_, p, _) => Task.FromResult(
            store.RecentEvents(Math.Clamp(p.Count <= 0 ? 50 : p.Count, 1, StateStore.KeptEvents))
                .Select(e => new EventInfo(e.Id, e.Time, e.Type, e.Text)).ToArray()));

        t.Add(ApiMethods.ConfigGet, Access.Read, J.ConfigGetParams, J.ConfigGetResult, (s, p, _) =>
        {
            var tree = p.Source switch
            {
                "active" => engine.Active(),
                "candidate" => engine.Candidate(),
                "rollback" => engine.RevisionTree(p.Rollback),
                _ => throw new RpcException(RpcErrorCodes.InvalidParams, $"source '{p.Source}' must be active, candidate or rollback"),
            };
            var path = ConfigPath.Parse(p.Path ?? [], allowValue: false);
            var sub = ConfigTree.Get(tree, path);
            if (SecretData.Hides(s.Role))
                return Task.FromResult(new ConfigGetResult((System.Text.Json.Nodes.JsonObject)SecretData.Redact(tree)!, SecretData.Redact(sub), sub is not null));
            return Task.FromResult(new ConfigGetResult(tree, sub?.DeepClone(), sub is not null));
        });
        t.Add(ApiMethods.ConfigHistory, Access.Read, J.Empty, J.RevisionInfoArray, (_, _, _) => Task.FromResult(
            engine.History().Select(h => new RevisionInfo(h.Number, h.Revision.Id, h.Revision.CreatedAt, h.Revision.Author,
                h.Revision.Source, h.Revision.Comment, h.Revision.ConfirmBy)).ToArray()));
        t.Add(ApiMethods.ConfigCompare, Access.Read, J.CompareParams, J.TextResult, (s, p, _) =>
        {
            string diff = engine.Compare(p.Rollback);
            return Task.FromResult(new TextResult(SecretData.Hides(s.Role) ? SecretData.Redact(diff) : diff));
        });
        t.Add(ApiMethods.ConfigStatus, Access.Read, J.Empty, J.ConfigStatus, (s, _, _) =>
        {
            var (exclusive, lockedBy, editors) = engine.Status(s.Id);
            return Task.FromResult(new ConfigStatus(engine.IsEditing(s.Id), exclusive, engine.HasChanges(), lockedBy, editors));
        });

        t.Add(ApiMethods.ConfigEnter, Access.Configure, J.ConfigEnterParams, J.ConfigEnterResult, async (s, p, ct) =>
            new ConfigEnterResult(await engine.EnterAsync(s.Editor, p.Exclusive, ct)));
        t.Add(ApiMethods.ConfigExit, Access.Configure, J.ConfigExitParams, J.OkResult, async (s, _, ct) =>
        {
            await engine.ExitAsync(s.Id, ct);
            return new OkResult(true);
        });
        t.Add(ApiMethods.ConfigSet, Access.Configure, J.PathParams, J.OkResult, async (s, p, ct) =>
        {
            await engine.SetAsync(s.Editor, p.Path, ct);
            return new OkResult(true);
        });
        t.Add(ApiMethods.ConfigDelete, Access.Configure, J.PathParams, J.OkResult, async (s, p, ct) =>
        {
            bool removed = await engine.DeleteAsync(s.Editor, p.Path, ct);
            return new OkResult(removed, removed ? null : "warning: statement not found");
        });
        t.Add(ApiMethods.ConfigAnnotate, Access.Configure, J.AnnotateParams, J.OkResult, async (s, p, ct) =>
        {
            await engine.AnnotateAsync(s.Editor, p.Path, p.Comment, ct);
            return new OkResult(true);
        });
        t.Add(ApiMethods.ConfigLoad, Access.Configure, J.ConfigLoadParams, J.OkResult, async (s, p, ct) =>
        {
            await engine.LoadAsync(s.Editor, p.Mode, p.Document, p.Path, ct);
            return new OkResult(true, "load complete");
        });
        t.Add(ApiMethods.ConfigRollback, Access.Configure, J.RollbackParams, J.OkResult, async (s, p, ct) =>
        {
            await engine.RollbackAsync(s.Editor, p.Number, ct);
            return new OkResult(true, "load complete");
        });
        t.Add(ApiMethods.ConfigUpdate, Access.Configure, J.Empty, J.OkResult, async (s, _, ct) =>
            new OkResult(true, await engine.UpdateAsync(s.Editor, ct)));
        t.Add(ApiMethods.ConfigCommit, Access.Configure, J.CommitParams, J.CommitResult, async (s, p, ct) =>
        {
            if (!engine.IsEditing(s.Id)) throw new NotConfiguringException();
            var outcome = await engine.CommitAsync(s.Editor, p.Check, p.ConfirmMinutes, p.Comment, ct);
            return new CommitResult(outcome.Revision, outcome.Message, outcome.ConfirmBy);
        });
        return t;
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
