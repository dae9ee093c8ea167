using Cpe.VendorServer.Storage;

namespace Cpe.VendorServer;

/// <summary>
/// Who may do what on the admin API (docs/reference/vendor-admin-api.md, "Roles"): every token has a role. A viewer
/// reads; an operator also runs deployments and pushes fleet configurations; an administrator also enrols and revokes
/// devices, publishes bundles and images, and manages sites and tokens. Each change is written to the append-only audit
/// log: who (the token's name and role), when, what, on what, from which address, and how it was answered.
/// </summary>
public static class AdminAccess
{
    public const string Viewer = "viewer", Operator = "operator", Administrator = "administrator";
    public static readonly string[] Roles = [Viewer, Operator, Administrator];

    /// <summary>Endpoint metadata: the least role that may call it (the last one given wins, so a group's default can be raised per endpoint).</summary>
    public sealed record RequiresRole(string Role);

    /// <summary>Endpoint metadata: the call is an action the audit log records, with this name.</summary>
    public sealed record Audited(string Action);

    /// <summary>What an endpoint adds to its audit entry (the deployment it made, the token it revoked) through HttpContext.Items.</summary>
    public const string DetailItem = "audit.detail";

    /// <summary>An endpoint whose action depends on the request (an enrolment that revokes) names it through HttpContext.Items.</summary>
    public const string ActionItem = "audit.action";

    /// <summary>The caller's token name and role, set for the endpoint (HttpContext.Items).</summary>
    public const string CallerItem = "admin.caller";

    public static T RequireRole<T>(this T builder, string role) where T : IEndpointConventionBuilder => builder.WithMetadata(new RequiresRole(role));

    public static T Audit<T>(this T builder, string action) where T : IEndpointConventionBuilder => builder.WithMetadata(new Audited(action));

    static int Rank(string role) => Array.IndexOf(Roles, role);

    /// <summary>
    /// After routing, before the body is read: a call without a valid token is a 401 and one above the token's role a 403,
    /// whatever its body holds (a filter would run only after the body was bound, and a bad body would be a 400).
    /// </summary>
    public static void UseAdminAccess(this WebApplication app, ServerStore store, TimeProvider clock) => app.Use(async (http, next) =>
    {
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<RequiresRole>() is not { } required)
        {
            await next(http);
            return;
        }
        string header = http.Request.Headers.Authorization.ToString();
        string? token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Trim() : null;
        if (token is null || store.FindToken(Tokens.Hash(token)) is not { } caller)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem("a valid admin token is required (Authorization: Bearer TOKEN)", statusCode: 401).ExecuteAsync(http);
            return;
        }
        http.Items[CallerItem] = caller;
        var audited = endpoint.Metadata.GetMetadata<Audited>();
        if (Rank(caller.Role) < Rank(required.Role))
            await Results.Problem($"this needs the {required.Role} role; token {caller.Name} is {caller.Role}", statusCode: 403).ExecuteAsync(http);
        else await next(http);
        if (audited is null) return;
        // Written after the answer was made, with its status: refused attempts are in the log too.
        string target = string.Join(' ', http.Request.RouteValues.Where(v => v.Key is not ("action" or "controller")).Select(v => $"{v.Key}={v.Value}"));
        store.AddAudit(new AuditEntry(0, clock.GetUtcNow(), caller.Name, caller.Role, http.Items[ActionItem] as string ?? audited.Action, target.Length == 0 ? null : target,
            http.Items[DetailItem] as string, http.Connection.RemoteIpAddress?.ToString(), http.Response.StatusCode));
    });

    /// <summary>The caller of an admin endpoint (set by <see cref="UseAdminAccess"/>).</summary>
    public static TokenRecord Caller(HttpContext http) => (TokenRecord)http.Items[CallerItem]!;
}
