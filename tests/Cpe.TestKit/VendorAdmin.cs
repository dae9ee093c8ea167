namespace Cpe.TestKit;

/// <summary>
/// The vendor server's admin API as the labs reach it: with curl inside the namespace the server runs in (the simulated
/// board's WAN, the QEMU box's WAN), as an operator would from the server's own network.
/// </summary>
public static class VendorAdmin
{
    /// <summary>One admin call; returns the status and the body.</summary>
    public static (int Status, string Body) Call(string netns, string adminUrl, string? token, string method, string path, string? body = null,
        string? contentType = "application/json", string? file = null)
    {
        var args = new List<string> { "netns", "exec", netns, "curl", "-sk", "-X", method, "-w", "\n%{http_code}", adminUrl + path };
        if (token is { Length: > 0 }) args.AddRange(["-H", $"Authorization: Bearer {token}"]);
        if (body is not null) args.AddRange(["-H", $"Content-Type: {contentType}", "--data-binary", body]);
        if (file is not null) args.AddRange(["-H", "Content-Type: application/octet-stream", "--data-binary", "@" + file]);
        string output = Command.Run("ip", args);
        int split = output.LastIndexOf('\n');
        return (int.Parse(output[(split + 1)..], System.Globalization.CultureInfo.InvariantCulture), output[..split]);
    }

    /// <summary>Waits until the server started as <paramref name="server"/> serves its admin API (its OpenAPI document).</summary>
    public static async Task WaitUntilServingAsync(string netns, string adminUrl, LoggedProcess server, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var probe = Command.Run("ip", ["netns", "exec", netns, "curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", adminUrl + "/openapi/v1.json"], check: false);
            if (probe == "200") return;
            if (server.Process.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException($"the vendor server did not start ({probe}):\n{server.Output}");
            await Task.Delay(100);
        }
    }
}
