using System.Security.Cryptography.X509Certificates;
using Cpe.VendorServer.Storage;

namespace Cpe.VendorServer;

/// <summary>
/// Bulk enrolment (docs/reference/vendor-admin-api.md, "Devices"): a manufacturing batch of up to
/// <see cref="MaxDevices"/> devices with one published bundle, each with its voucher, checked as the devices will check
/// them and stored in one transaction, all or none.
/// </summary>
public static class EnrolmentEndpoints
{
    public const int MaxDevices = 10_000;

    public static void Map(RouteGroupBuilder api, ServerStore store, FleetSnapshot snapshot, X509Certificate2 vendorCa, TimeProvider clock)
    {
        api.MapPost("/enrolments", (HttpContext http, BulkEnrollRequest r) =>
        {
            if (r.Devices.Length is 0 or > MaxDevices) return AdminEndpoints.Invalid($"devices lists 1 to {MaxDevices} devices");
            if (store.FindBundle(r.Bundle) is not Bundle bundle) return AdminEndpoints.NotFound($"bundle {r.Bundle}");
            var now = clock.GetUtcNow();
            var check = new BatchEnrollmentCheck(bundle, vendorCa, now);
            if (check.BundleProblem is string bad) return AdminEndpoints.Invalid($"bundle {r.Bundle}: {bad}");
            var problems = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var d in r.Devices)
            {
                string? problem = !seen.Add(d.Serial) ? "listed twice"
                    : d.Site is not null && AdminInput.NameProblem(d.Site, "site") is string site ? site
                    : d.Labels is { Length: > 32 } || d.Labels?.Any(l => Deployments.DeploymentCheck.LabelProblem(l) is not null) == true
                        ? "labels: up to 32, each 1 to 64 letters, digits, '.', '_', '-', ':' or '='"
                    : check.Problem(d.Serial, d.OwnershipVoucher);
                if (problem is not null) problems.Add($"{d.Serial}: {problem}");
            }
            if (problems.Count > 0)
                return AdminEndpoints.Invalid($"nothing was enrolled: {problems.Count} device(s) refused: " + string.Join("; ", problems.Take(20)) + (problems.Count > 20 ? "; …" : ""));
            store.EnrollMany(r.Devices.Select(d => new Enrollment(d.Serial, bundle.ConveyedInformation, bundle.OwnerCertificate, d.OwnershipVoucher, now,
                d.Owner, d.Group)
            { Site = d.Site, Labels = d.Labels ?? [] }));
            snapshot.Refresh();
            http.Items[AdminAccess.DetailItem] = $"{r.Devices.Length} device(s) with bundle {r.Bundle}";
            return Results.Ok(new BulkEnrollView(r.Devices.Length));
        }).RequireRole(AdminAccess.Administrator).Audit("enrol");
    }
}
