using System.Collections.Concurrent;
using System.Reflection;
using Cpe.VendorServer.Storage;

namespace Cpe.VendorServer;

/// <summary>
/// The fleet web UI on the admin listener (docs/guides/fleet-ui.md): static files compiled into the server (no
/// internet, no npm, nothing to build), a strict Content-Security-Policy, and the two API calls only the UI needs —
/// who the token is, and the dashboard's counts (cached a few seconds: one pass over the device table).
/// </summary>
public static class UiEndpoints
{
    static readonly Dictionary<string, string> Types = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8", ["app.js"] = "text/javascript; charset=utf-8", ["app.css"] = "text/css; charset=utf-8",
    };

    /// <summary>Scripts, styles and requests only from this server; no frames, no plugins, no inline code.</summary>
    const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static readonly TimeSpan CountsFor = TimeSpan.FromSeconds(5);

    public static void Map(IEndpointRouteBuilder admin, RouteGroupBuilder api, ServerStore store, int checkInSeconds, TimeProvider clock)
    {
        var files = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] File(string name) => files.GetOrAdd(name, n =>
        {
            using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("Ui." + n) ?? throw new FileNotFoundException(n);
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        });
        admin.MapGet("/", () => Results.Redirect("/ui/"));
        admin.MapGet("/ui/{name?}", (HttpContext http, string? name) =>
        {
            name ??= "index.html";
            if (!Types.TryGetValue(name, out var type)) return Results.NotFound();
            http.Response.Headers.ContentSecurityPolicy = Policy;
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            http.Response.Headers.CacheControl = "no-cache";   // revalidated each time: a new server version is seen at once
            return Results.Bytes(File(name), type);
        });

        api.MapGet("/whoami", (HttpContext http) => AdminAccess.Caller(http) is var c ? new WhoAmIView(c.Name, c.Role) : null);
        (DateTimeOffset At, FleetCounts Counts)? cached = null;
        var gate = new Lock();
        api.MapGet("/summary", () =>
        {
            var now = clock.GetUtcNow();
            FleetCounts counts;
            lock (gate)
            {
                if (cached is not { } c || now - c.At > CountsFor) cached = (now, store.Counts(now - TimeSpan.FromSeconds(3 * checkInSeconds)));
                counts = cached.Value.Counts;
            }
            var active = store.Deployments(null, 100).Where(d => d.Status is DeploymentRow.Running or DeploymentRow.Paused or DeploymentRow.Halted)
                .Select(d => DeploymentEndpoints.View(store, d)).ToArray();
            return new SummaryView(counts.Enrolled, counts.Revoked, counts.Online, counts.Silent, counts.NeverSeen, counts.Alarmed,
                (int)Math.Ceiling(3 * checkInSeconds / 60.0), counts.Versions.Select(v => new VersionCount(v.Version ?? "(never checked in)", v.Count, v.Version is not null)).ToArray(), active);
        });
    }
}
