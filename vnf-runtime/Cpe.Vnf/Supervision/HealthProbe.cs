using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cpe.Interop;
using Cpe.Vnf.Packages;

namespace Cpe.Vnf.Supervision;

/// <summary>
/// One health check of a running VNF (docs/reference/vnf-supervisor.md): TCP and HTTP connect to 127.0.0.1:PORT
/// inside the VNF's network namespace (the socket is made there); exec runs the command inside the VNF through
/// `cpe-runtime exec`. Returns null when healthy, else what failed.
/// </summary>
public static class HealthProbe
{
    public static async Task<string?> CheckAsync(HealthCheck check, VnfLaunch launch, int pid, SupervisorOptions options, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(check.Timeout);
        try
        {
            return check.Kind switch
            {
                HealthCheckKind.Tcp => await ConnectAsync(launch, int.Parse(check.Target, System.Globalization.CultureInfo.InvariantCulture), null, timeout.Token),
                HealthCheckKind.Http => await ConnectAsync(launch, int.Parse(check.Target[..check.Target.IndexOf('/')], System.Globalization.CultureInfo.InvariantCulture),
                    check.Target[check.Target.IndexOf('/')..], timeout.Token),
                _ => await ExecAsync(check, launch, pid, options, timeout.Token),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return $"no answer in {check.Timeout.TotalMilliseconds:0} ms"; }
        catch (SocketException e) { return e.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : e.Message; }
        catch (IOException e) { return e.Message; }
    }

    static async Task<string?> ConnectAsync(VnfLaunch launch, int port, string? httpPath, CancellationToken ct)
    {
        using var socket = launch.NetworkNamespace is { } ns
            ? await Namespaces.RunInAsync(ns, Namespaces.CLONE_NEWNET, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
        if (httpPath is null) return null;
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {httpPath} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), ct);
        var buffer = new byte[64];
        int n = await socket.ReceiveAsync(buffer, ct);
        string status = Encoding.ASCII.GetString(buffer, 0, n);
        // "HTTP/1.x 2xx": healthy; anything else is the first line, for the status.
        return status.Length >= 12 && status.StartsWith("HTTP/1.", StringComparison.Ordinal) && status[9] == '2' ? null : $"HTTP answered '{status.Split('\r')[0]}'";
    }

    static async Task<string?> ExecAsync(HealthCheck check, VnfLaunch launch, int pid, SupervisorOptions options, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(options.Runtime) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "exec", "--bundle", launch.Bundle, "--pid", $"{pid}", "--cgroup-root", options.CgroupRoot,
                     "--timeout", $"{check.Timeout.TotalSeconds}", "--" }.Concat(check.Target.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var errors = process.StandardError.ReadToEndAsync(ct);
        _ = process.StandardOutput.ReadToEndAsync(ct);
        try { await process.WaitForExitAsync(ct); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
        return process.ExitCode == 0 ? null : $"'{check.Target}' exited {process.ExitCode} {(await errors).Trim()}".Trim();
    }
}
