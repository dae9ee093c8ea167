using Cpe.VendorServer.Deployments;
using Cpe.VendorServer.Storage;

namespace Cpe.VendorServer;

/// <summary>The admin API's own settings: sites and their time zones, admin tokens and their roles, and the audit log.</summary>
public static class AdminSettingsEndpoints
{
    public static void Map(RouteGroupBuilder api, ServerStore store, FleetSnapshot snapshot, TimeProvider clock)
    {
        api.MapGet("/sites", () => store.Sites().OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new SiteView(s.Key, s.Value)).ToArray());
        api.MapPut("/sites/{name}", (HttpContext http, string name, SiteRequest r) =>
        {
            if (AdminInput.NameProblem(name, "site") is string bad) return AdminEndpoints.Invalid(bad);
            if (MaintenanceWindow.Zone(r.TimeZone) is null) return AdminEndpoints.Invalid($"'{r.TimeZone}' is not a time zone this server knows (an IANA name such as Europe/Paris)");
            store.AddSite(name, r.TimeZone);
            snapshot.Refresh();
            http.Items[AdminAccess.DetailItem] = $"time zone {r.TimeZone}";
            return Results.Ok(new SiteView(name, r.TimeZone));
        }).RequireRole(AdminAccess.Administrator).Audit("site");

        api.MapGet("/tokens", () => store.TokenList().Select(t => new TokenView(t.Name, t.Role, t.CreatedAt, t.RevokedAt)).ToArray())
            .RequireRole(AdminAccess.Administrator);
        api.MapPost("/tokens", (HttpContext http, TokenRequest r) =>
        {
            if (AdminInput.NameProblem(r.Name, "name") is string bad) return AdminEndpoints.Invalid(bad);
            if (!AdminAccess.Roles.Contains(r.Role)) return AdminEndpoints.Invalid($"role must be one of {string.Join(", ", AdminAccess.Roles)}");
            string token = Tokens.Create();
            var now = clock.GetUtcNow();
            store.AddToken(Tokens.Hash(token), r.Name, r.Role, now);
            http.Items[AdminAccess.DetailItem] = $"token {r.Name} ({r.Role})";
            return Results.Ok(new NewTokenView(r.Name, r.Role, now, token));
        }).RequireRole(AdminAccess.Administrator).Audit("token");
        api.MapDelete("/tokens/{name}", (string name) =>
            store.RevokeTokens(name, clock.GetUtcNow()) > 0 ? Results.NoContent() : AdminEndpoints.NotFound($"live token named {name}"))
            .RequireRole(AdminAccess.Administrator).Audit("revoke");

        api.MapGet("/audit", (long? before, string? action, int? limit) =>
            store.Audit(before, action, Math.Clamp(limit ?? 100, 1, 1000)).Select(a => new AuditView(a.Id, a.Time, a.Actor, a.Role, a.Action, a.Target, a.Detail, a.Source, a.Status)).ToArray());
    }
}
