using Cpe.VendorServer.Deployments;
using Cpe.VendorServer.Storage;

namespace Cpe.VendorServer;

/// <summary>The admin API's deployments (docs/reference/vendor-admin-api.md, "Deployments"): create, watch, pause, resume, cancel.</summary>
public static class DeploymentEndpoints
{
    public static void Map(RouteGroupBuilder api, ServerStore store, FleetSnapshot snapshot, TimeProvider clock)
    {
        api.MapPost("/deployments", (HttpContext http, DeploymentSpec spec) =>
        {
            if (DeploymentCheck.Problem(spec) is string bad) return AdminEndpoints.Invalid(bad);
            string? version = null;
            if (spec.Firmware is string name)
            {
                if (store.Image(name) is not FirmwareImage image) return AdminEndpoints.NotFound($"image {name}");
                version = image.OsVersion;
            }
            if (spec.Vnfs is not null && VnfPackageEndpoints.Missing(store, spec.Vnfs.Select(v => (v.Name, v.Version))) is { } missing) return missing;
            var d = store.CreateDeployment(spec, version, store.CountTarget(spec.Target), AdminAccess.Caller(http).Name, clock.GetUtcNow());
            snapshot.Refresh();
            http.Items[AdminAccess.DetailItem] = $"deployment {d.Id} '{spec.Name}' to {d.TargetSize} device(s)";
            return Results.Created($"{AdminEndpoints.Prefix}/deployments/{d.Id}", View(store, d));
        }).RequireRole(AdminAccess.Operator).Audit("deploy");

        api.MapGet("/deployments", (string? status, int? limit) =>
            store.Deployments(status, Math.Clamp(limit ?? 100, 1, 1000)).Select(d => View(store, d)).ToArray());
        api.MapGet("/deployments/{id:long}", (long id) =>
            store.Deployment(id) is { } d ? Results.Ok(View(store, d)) : AdminEndpoints.NotFound($"deployment {id}"));
        api.MapGet("/deployments/{id:long}/devices", (long id, string? state, string? after, int? limit) =>
            store.Deployment(id) is null ? AdminEndpoints.NotFound($"deployment {id}")
                : Results.Ok(store.Members(id, state, after, Math.Clamp(limit ?? 100, 1, 1000)).Select(View).ToArray()));
        api.MapGet("/devices/{serial}/deployments", (string serial) => store.Memberships(serial).Select(View).Reverse().ToArray());

        foreach (var action in new[] { "pause", "resume", "cancel" })
            api.MapPost($"/deployments/{{id:long}}/{action}", (HttpContext http, long id) =>
            {
                if (store.Control(id, action, AdminAccess.Caller(http).Name, clock.GetUtcNow()) is string refused)
                    return refused == "no such deployment" ? AdminEndpoints.NotFound($"deployment {id}") : Results.Problem(refused, statusCode: 409);
                snapshot.Refresh();
                return Results.Ok(View(store, store.Deployment(id)!));
            }).RequireRole(AdminAccess.Operator).Audit(action);
    }

    internal static DeploymentView View(ServerStore store, DeploymentRow d)
    {
        var counts = store.MemberCounts(d.Id);
        Dictionary<string, long> ByState(IEnumerable<(int Phase, string State, long Count)> rows) =>
            rows.GroupBy(c => c.State).ToDictionary(g => g.Key, g => g.Sum(c => c.Count), StringComparer.Ordinal);
        var phases = store.Phases(d.Id).Select(p => new PhaseView(p.Phase + 1, p.Size == PhasePlan.Unlimited ? null : p.Size, p.Joined, p.BakeSeconds,
            p.StartedAt, p.FinishedAt, p.RolledBack, ByState(counts.Where(c => c.Phase == p.Phase)))).ToArray();
        return new DeploymentView(d.Id, d.Spec.Name, d.Status, d.Reason, d.Phase + 1, d.TargetSize, d.Spec.Firmware, d.FirmwareVersion, d.ConfigRevision,
            d.RollbackRevision, d.CreatedBy, d.CreatedAt, d.UpdatedAt, phases, ByState(counts), d.Spec);
    }

    static DeploymentDeviceView View(MemberRow m) =>
        new(m.DeploymentId, m.Serial, m.Phase + 1, m.State, m.Reason, m.Site, m.Bytes, m.JoinedAt, m.StartedAt, m.UpdatedAt, m.Before);
}
