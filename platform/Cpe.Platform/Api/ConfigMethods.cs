using Cpe.Api;
using Cpe.Config;
using Cpe.Platform.Configuration;

namespace Cpe.Platform.Api;

/// <summary>The config.* methods of the local API: reading revisions, and editing and committing the candidate.</summary>
public sealed class ConfigMethods(ConfigEngine engine)
{
    static ApiJsonContext J => ApiJsonContext.Default;

    public void AddMethods(MethodTable t)
    {
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
    }
}
