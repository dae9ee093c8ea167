using System.Security.Cryptography.X509Certificates;
using Cpe.Vnf.Packages;
using Cpe.VendorServer.Storage;

namespace Cpe.VendorServer;

/// <summary>
/// The VNF package repository (docs/reference/vendor-admin-api.md, "VNF packages"): signed OCI VNF packages uploaded by
/// name and version, checked before they are kept (signature chaining to <c>--vnf-trust</c>, every blob's digest, the
/// name and version the package itself carries), never changed once kept; devices download them over mTLS as the
/// fleet's VNF deployments name them.
/// </summary>
public static class VnfPackageEndpoints
{
    /// <summary>
    /// Where the packages live: a folder no firmware image name can take (names cannot start with '.'), each file named
    /// by its SHA-256, so an upload racing another of the same version never replaces the content the database names.
    /// </summary>
    public static string Folder(string imageFolder) => Path.Combine(imageFolder, ".vnf");

    public static string FileOf(string imageFolder, VnfPackageFile p) => Path.Combine(Folder(imageFolder), p.Sha256);

    /// <summary>Where a device downloads one (the device listener; the answer's URI).</summary>
    public static string DevicePath(string name, string version) => $"/vnf-packages/{Uri.EscapeDataString(name)}/{Uri.EscapeDataString(version)}";

    /// <summary>The 404 for the first of <paramref name="wanted"/> (package name, version) not in the repository; null when all are.</summary>
    public static IResult? Missing(ServerStore store, IEnumerable<(string Name, string Version)> wanted) =>
        wanted.FirstOrDefault(v => store.VnfPackage(v.Name, v.Version) is null) is { Name: not null } missing
            ? AdminEndpoints.NotFound($"VNF package {missing.Name}:{missing.Version} (upload it with PUT {AdminEndpoints.Prefix}/vnf-packages/{missing.Name}/{missing.Version})")
            : null;

    public static void MapAdmin(RouteGroupBuilder api, ServerStore store, FleetSnapshot snapshot, IReadOnlyList<X509Certificate2> trust, string imageFolder, long maxBytes, TimeProvider clock)
    {
        api.MapGet("/vnf-packages", () => store.VnfPackages().Select(View).ToArray());
        api.MapGet("/vnf-packages/{name}/{version}", (string name, string version) =>
            store.VnfPackage(name, version) is { } p ? Results.Ok(View(p)) : AdminEndpoints.NotFound($"VNF package {name}:{version}"));
        api.MapPut("/vnf-packages/{name}/{version}", async (HttpContext http, string name, string version) =>
        {
            if (AdminInput.NameProblem(name, "a VNF package name") is string badName) return AdminEndpoints.Invalid(badName);
            if (AdminInput.NameProblem(version, "a VNF package version") is string badVersion) return AdminEndpoints.Invalid(badVersion);
            string folder = Folder(imageFolder);
            Directory.CreateDirectory(folder);
            string signer = "";
            var upload = await ImageUpload.ReceiveAsync(http, folder, null, maxBytes, (file, sha256) =>
            {
                if (store.VnfPackage(name, version) is { } kept && kept.Sha256 != sha256) return Conflict(kept);
                try
                {
                    using var package = VnfPackage.Open(file, trust);
                    package.VerifyAllBlobs();
                    if (package.Descriptor.Name != name || package.Descriptor.Version != version)
                        return AdminEndpoints.Invalid($"the package is {package.Descriptor.Name}:{package.Descriptor.Version}, not {name}:{version}");
                    signer = package.Signer.Subject;
                    return null;
                }
                catch (Exception e) when (e is VnfPackageException or IOException or InvalidDataException)
                {
                    return AdminEndpoints.Invalid($"not a VNF package this server serves: {e.Message}");
                }
            });
            if (upload.Refusal is not null) return upload.Refusal;
            var record = new VnfPackageFile(name, version, upload.Sha256, upload.Size, signer, clock.GetUtcNow());
            // Two uploads of one version at once: the first recorded wins, and the other, if it differs, is told so.
            if (!store.AddVnfPackage(record)) return Conflict(store.VnfPackage(name, version)!);
            snapshot.Refresh();
            return Results.Ok(View(store.VnfPackage(name, version)!));
        }).RequireRole(AdminAccess.Administrator).Audit("publish");
        api.MapDelete("/vnf-packages/{name}/{version}", (string name, string version) =>
        {
            if (store.VnfPackage(name, version) is not { } p || !store.DeleteVnfPackage(name, version)) return AdminEndpoints.NotFound($"VNF package {name}:{version}");
            // Another name or version may hold the same bytes.
            if (!store.VnfPackages().Any(o => o.Sha256 == p.Sha256)) File.Delete(FileOf(imageFolder, p));
            snapshot.Refresh();
            return Results.NoContent();
        }).RequireRole(AdminAccess.Administrator).Audit("remove");
    }

    static IResult Conflict(VnfPackageFile kept) => Results.Problem(
        $"VNF package {kept.Reference} is already published with other content (SHA-256 {kept.Sha256}); a version never changes: publish a new version", statusCode: 409);

    static VnfPackageView View(VnfPackageFile p) => new(p.Name, p.Version, p.Sha256, p.Size, p.Signer, p.UploadedAt);
}
