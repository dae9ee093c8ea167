using Cpe.Signing;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.VendorServer;

/// <summary>
/// A real cpe-vendor-server on a free loopback port with its own PKI: device SIM-A enrolled with signed
/// onboarding information, SIM-B with unsigned redirect information, SIM-C with unsigned onboarding information.
/// </summary>
public sealed class VendorServerProcess : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    public TempFolder Dir { get; } = new("cpe-server-");
    public X509Certificate2 VendorCa { get; } = VendorPki.CreateCa("CN=Example Vendor CA, O=Example Vendor", Now.AddDays(-1), TimeSpan.FromDays(3650));
    public X509Certificate2 ServerCa { get; } = VendorPki.CreateCa("CN=Example Vendor TLS CA, O=Example Vendor", Now.AddDays(-1), TimeSpan.FromDays(3650));
    public X509Certificate2 OwnerCa { get; } = VendorPki.CreateCa("CN=Owner CA, O=Example Owner", Now.AddDays(-1), TimeSpan.FromDays(3650));
    public byte[] Content { get; } = Encoding.UTF8.GetBytes("""{"ietf-sztp-conveyed-info:onboarding-information":{"configuration-handling":"merge","configuration":"e30="}}""");
    public string Url { get; private set; } = "";
    public string AdminUrl { get; private set; } = "";
    public string Token { get; private set; } = "";
    /// <summary>The owner certificate (with its key) that signs check-in answers; SIM-A's voucher pins its CA.</summary>
    public X509Certificate2 Owner { get; private set; } = null!;
    /// <summary>The database: a SQLite file, or a PostgreSQL connection string when the test asks for one.</summary>
    public string Db { get; init; } = "";
    public string Database => Db.Length > 0 ? Db : Dir["server.db"];

    public X509Certificate2 Device(string serial) => VendorPki.IssueDevice(VendorCa, serial, "sim", Now.AddDays(-1));

    /// <summary>
    /// An HTTPS client for one of the server's ports that trusts only the server's TLS CA, with a device certificate
    /// (device port) or a bearer token (admin port).
    /// </summary>
    public HttpClient Client(string baseUrl, X509Certificate2? clientCertificate = null, string? token = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && CmsSigning.Chains(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), ServerCa);
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
        var client = new HttpClient(handler) { BaseAddress = new Uri(baseUrl) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    static X509Certificate2 ServerCertificate(X509Certificate2 ca)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        using var issued = request.Create(ca, Now.AddDays(-1), Now.AddDays(30), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    void Enroll(string serial, string conveyed, bool signed)
    {
        var args = new List<string> { "enroll", "--db", Database, "--serial", serial, "--conveyed", conveyed };
        if (signed) args.AddRange(["--owner-certificate", Dir["owner.cms"], "--voucher", Dir[$"voucher-{serial}.cms"], "--vendor-ca", Dir["vendor-ca.pem"]]);
        Command.Run(Binaries.VendorServer, args);
    }

    /// <summary>More "serve" options, e.g. ["--max-image-mib", "1"].</summary>
    public IReadOnlyList<string> ServeArguments { get; init; } = [];

    public static async Task<VendorServerProcess> StartAsync(string? database = null, params string[] serveArguments)
    {
        var s = new VendorServerProcess { Db = database ?? "", ServeArguments = serveArguments };
        try
        {
            await s.StartCoreAsync();
            return s;
        }
        catch
        {
            await s.DisposeAsync();
            throw;
        }
    }

    async Task StartCoreAsync()
    {
        PemFile.Write(Dir["vendor-ca"], VendorCa);
        PemFile.Write(Dir["server-ca"], ServerCa);
        PemFile.Write(Dir["server"], ServerCertificate(ServerCa));
        var owner = Owner = VendorPki.Issue(OwnerCa, "CN=owner signer", Now.AddDays(-1), TimeSpan.FromDays(30));
        PemFile.Write(Dir["owner"], owner);
        var signer = VendorPki.Issue(VendorCa, "CN=voucher signer", Now.AddDays(-1), TimeSpan.FromDays(30));
        File.WriteAllBytes(Dir["conveyed.cms"], Cms.Sign(Content, SztpOids.ConveyedInfoJson, owner));
        File.WriteAllBytes(Dir["owner.cms"], Cms.CertificatesOnly(owner));
        File.WriteAllBytes(Dir["voucher-SIM-A.cms"], new OwnershipVoucher(Now.AddMinutes(-5), Now.AddDays(7), "verified", "SIM-A", OwnerCa.RawData).Sign(signer));
        File.WriteAllBytes(Dir["redirect.cms"], Cms.Unsigned(new ConveyedInformation.Redirect(
            [new RedirectServer("192.0.2.10", 8443, Cms.CertificatesOnly(ServerCa))]).ToJson()));
        File.WriteAllBytes(Dir["unsigned.cms"], Cms.Unsigned(Content));
        Enroll("SIM-A", Dir["conveyed.cms"], signed: true);
        Enroll("SIM-B", Dir["redirect.cms"], signed: false);
        Enroll("SIM-C", Dir["unsigned.cms"], signed: false);

        Token = Command.Run(Binaries.VendorServer, ["token", "--db", Database, "--name", "test"]).Trim();
        (Url, AdminUrl) = await LaunchAsync();
    }

    readonly List<Process> _servers = [];
    readonly StringBuilder _output = new();

    /// <summary>What the servers printed on standard output (the start banner).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Another server process on the same files and database (PostgreSQL: stateless instances behind a balancer).</summary>
    public async Task<string> StartAnotherInstanceAsync() => (await LaunchAsync()).Url;

    async Task<(string Url, string AdminUrl)> LaunchAsync()
    {
        string url = $"https://127.0.0.1:{FreePort()}", adminUrl = $"https://127.0.0.1:{FreePort()}";
        var server = Process.Start(new ProcessStartInfo(Binaries.VendorServer, ["serve", "--urls", url, "--admin-urls", adminUrl, "--db", Database,
            "--vendor-ca", Dir["vendor-ca.pem"], "--tls-cert", Dir["server.pem"], "--tls-key", Dir["server.key"],
            "--signing-cert", Dir["owner.pem"], "--signing-key", Dir["owner.key"], "--images", Dir["images"], "--check-in", "60", .. ServeArguments])
        { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        _servers.Add(server);
        var errors = new StringBuilder();
        server.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        server.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        server.BeginErrorReadLine();
        server.BeginOutputReadLine();
        for (int i = 0; i < 200 && !server.HasExited; i++)
        {
            if (Listens(new Uri(adminUrl).Port)) return (url, adminUrl);
            await Task.Delay(50);
        }
        lock (errors) throw new TimeoutException($"the server did not listen: {errors}");
    }

    /// <summary>Whether something accepts connections on the loopback port.</summary>
    internal static bool Listens(int port)
    {
        try { using var probe = new TcpClient(); probe.Connect(IPAddress.Loopback, port); return true; }
        catch (SocketException) { return false; }
    }

    /// <summary>What "cpe-vendor-server progress" prints for a device.</summary>
    public string Progress(string serial) => Command.Run(Binaries.VendorServer, ["progress", "--db", Database, "--serial", serial]);

    public ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
            if (!server.HasExited) { server.Kill(); server.WaitForExit(5000); }
        Dir.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A test class with its own running bootstrap server, torn down after each test.</summary>
public abstract class VendorServerTest : IAsyncLifetime
{
    protected VendorServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await VendorServerProcess.StartAsync();
    public async Task DisposeAsync() => await Server.DisposeAsync();
}
