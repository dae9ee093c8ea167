using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Cpe.VendorServer;

/// <summary>
/// The admin API's OpenAPI document (/openapi/v1.json): what it is for, that every call needs the bearer token, and
/// which members a body may leave out (those that may be null), so that a generated client does not demand them all.
/// </summary>
public static class AdminOpenApi
{
    const string Scheme = "adminToken";

    /// <summary>What each operation is for, by method and path (docs/reference/vendor-admin-api.md has the details).</summary>
    static readonly Dictionary<string, string> Summaries = new(StringComparer.Ordinal)
    {
        ["GET api/v1/devices"] = "List devices by serial, a page at a time (after=LAST-SERIAL, limit ≤ 10000), filtered by group and state; each with its last onboarding progress and last check-in",
        ["GET api/v1/devices/{serial}"] = "One device's enrolment",
        ["PUT api/v1/devices/{serial}"] = "Enrol or update a device: a published bundle (with the device's voucher) or conveyed information",
        ["DELETE api/v1/devices/{serial}"] = "Remove a device",
        ["GET api/v1/devices/{serial}/progress"] = "The device's RFC 8572 progress reports, oldest first",
        ["GET api/v1/devices/{serial}/inventory"] = "The device's latest hardware inventory, as its check-ins reported it",
        ["GET api/v1/devices/{serial}/check-ins"] = "The device's check-ins, newest first: versions, revisions, refusals, fallbacks, local overrides",
        ["POST api/v1/bundles"] = "Publish an onboarding bundle, signed with the owner's key; a name is never reused",
        ["GET api/v1/bundles"] = "List published onboarding bundles",
        ["PUT api/v1/images/{name}"] = "Upload a firmware bundle or boot image that devices download with Range requests",
        ["GET api/v1/images"] = "List uploaded images",
        ["GET api/v1/vnf-packages"] = "List the VNF packages devices can be given: name, version, SHA-256, size, signer",
        ["GET api/v1/vnf-packages/{name}/{version}"] = "One VNF package of the repository",
        ["PUT api/v1/vnf-packages/{name}/{version}"] = "Upload a signed VNF package (its signature, blobs, name and version are checked first; a version never changes)",
        ["DELETE api/v1/vnf-packages/{name}/{version}"] = "Remove a VNF package from the repository (devices that have it keep it)",
        ["GET api/v1/images/{name}/downloads"] = "Each download of an image: device, Range, status",
        ["GET api/v1/fleet"] = "Read back every fleet push: the configuration, firmware and VNF versions each group or device is to run",
        ["GET api/v1/fleet/{target}"] = "Read back the fleet push for one target (serial:S or group:G)",
        ["PUT api/v1/fleet/{target}"] = "Push a configuration (and firmware, VNF versions) to a group or device; devices take it at their next check-in",
        ["POST api/v1/deployments"] = "Create a deployment: a configuration and/or firmware to a target, in phases with bake times, an error threshold that halts it, rate and site limits, a maintenance window",
        ["GET api/v1/deployments"] = "List deployments, newest first, each with its phases and its devices counted by state",
        ["GET api/v1/deployments/{id}"] = "One deployment: status and why, current phase, each phase's progress, devices by state",
        ["GET api/v1/deployments/{id}/devices"] = "A deployment's devices by serial, a page at a time, optionally in one state: phase, state and why, bytes, what each ran before",
        ["POST api/v1/deployments/{id}/pause"] = "Pause a running deployment: no device starts; those that started finish",
        ["POST api/v1/deployments/{id}/resume"] = "Resume a paused or halted deployment; failures so far in the current phase no longer count against the threshold",
        ["POST api/v1/deployments/{id}/cancel"] = "Cancel a deployment: devices that had not started are cancelled, those that started finish",
        ["GET api/v1/devices/{serial}/deployments"] = "The device's deployment history, newest first: each deployment's state and why",
        ["GET api/v1/sites"] = "List sites and their time zones",
        ["PUT api/v1/sites/{name}"] = "Set a site's time zone (IANA name): maintenance windows of its devices are resolved in it",
        ["GET api/v1/tokens"] = "List admin tokens: name, role, made, revoked (never the token)",
        ["POST api/v1/tokens"] = "Make an admin token with a role (viewer, operator, administrator); it is shown once",
        ["DELETE api/v1/tokens/{name}"] = "Revoke every token with this name",
        ["POST api/v1/enrolments"] = "Enrol a manufacturing batch (up to 10,000 devices) with one published bundle and each device's voucher, all or none",
        ["GET api/v1/whoami"] = "The calling token's name and role",
        ["GET api/v1/summary"] = "The fleet at a glance (the UI's dashboard): devices by state and recency, firmware versions, active deployments",
        ["GET api/v1/audit"] = "The append-only audit log, newest first (before=ID to page, action= to filter): who, when, what, on what, from where, answer",
    };

    public static void Configure(OpenApiOptions options)
    {
        // The admin API only: the device ports' RESTCONF, check-in and downloads are described by their RFCs and
        // docs/reference, and are not served where this document is.
        options.ShouldInclude = d => d.RelativePath?.StartsWith(AdminEndpoints.Prefix.TrimStart('/') + "/", StringComparison.Ordinal) == true;
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "cpe-vendor-server admin API";
            document.Info.Description = "Devices, onboarding bundles, firmware images, fleet pushes, progress and check-in history " +
                "(docs/reference/vendor-admin-api.md). Every call needs 'Authorization: Bearer TOKEN', a token from 'cpe-vendor-server token' or POST /api/v1/tokens, " +
                "whose role (viewer, operator, administrator) is at least the one the operation names.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An admin token from 'cpe-vendor-server token'; the server keeps only its hash.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, document)] = [] });
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var d = context.Description;
            // Route constraints ({id:long}) are not part of the documented path.
            string path = System.Text.RegularExpressions.Regex.Replace(d.RelativePath ?? "", @"\{(\w+):[^}]+\}", "{$1}");
            if (Summaries.TryGetValue($"{d.HttpMethod} {path}", out var summary)) operation.Summary = summary;
            // The least role that may call it: the last RequiresRole given (a group's default raised per endpoint).
            if (d.ActionDescriptor.EndpointMetadata.OfType<AdminAccess.RequiresRole>().LastOrDefault() is { } role)
                operation.Description = $"Needs a token with the {role.Role} role or above.";
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, _, _) =>
        {
            // A member that may be null may also be left out of a body: it is not required.
            if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
                foreach (string name in required.ToList())
                    if (properties.TryGetValue(name, out var property) && property.Type is JsonSchemaType type && type.HasFlag(JsonSchemaType.Null))
                        required.Remove(name);
            return Task.CompletedTask;
        });
    }
}
