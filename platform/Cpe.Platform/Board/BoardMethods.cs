using Cpe.Api;
using Cpe.Platform.Api;
using Cpe.Platform.Configuration;

namespace Cpe.Platform.Board;

/// <summary>
/// The board's API methods (docs/reference/local-api.md): "show chassis hardware" and "show chassis environment" read;
/// "request system reboot|power-off|zeroize" are the admin's (the CLI asks the technician to confirm first). The
/// request is answered before cped stops, so the CLI can print it.
/// </summary>
public static class BoardMethods
{
    static readonly TimeSpan AnswerGrace = TimeSpan.FromMilliseconds(300);

    public static void Add(MethodTable t, BoardSubsystem board, Func<WatchdogKeeper?> watchdog, Action<PowerRequest> power, ConfigEngine engine, bool testHooks)
    {
        var j = ApiJsonContext.Default;
        // The phone-home agent may read it too: the inventory its check-ins report.
        t.Add(ApiMethods.Hardware, Access.Provisioning, j.Empty, j.Hardware, (_, _, _) => Task.FromResult(board.Hardware()));
        t.Add(ApiMethods.Environment, Access.Read, j.Empty, j.EnvironmentInfo, (_, _, _) =>
            Task.FromResult(board.Environment(watchdog()?.State ?? "none armed")));
        foreach (var (method, action, said) in new[]
                 {
                     (ApiMethods.Reboot, PowerAction.Reboot, "rebooting"),
                     (ApiMethods.PowerOff, PowerAction.PowerOff, "powering off"),
                     (ApiMethods.Zeroize, PowerAction.Zeroize, "zeroizing: configuration and state erased, identity kept; the box reboots to factory default"),
                 })
            // The phone-home agent may reboot (into the firmware it installed), never power off or zeroize.
            t.Add(method, method == ApiMethods.Reboot ? Access.Provision : Access.Configure, j.PowerParams, j.OkResult, (s, p, ct) =>
            {
                // Acted on a moment later, so this answer reaches the CLI before the API closes.
                var request = new PowerRequest(action, $"{p.Reason ?? "requested"} by {s.User}");
                _ = Task.Delay(AnswerGrace, CancellationToken.None).ContinueWith(_ => power(request), TaskScheduler.Default);
                return Task.FromResult(new OkResult(true, said));
            });
        if (testHooks)
            t.Add(ApiMethods.DebugHang, Access.Configure, j.Empty, j.OkResult, (_, _, _) =>
            {
                _ = engine.HangForTestAsync();
                return Task.FromResult(new OkResult(true, "the config engine is now stuck; the watchdog should reset cped"));
            });
    }
}
