using System.Text.Json.Nodes;

namespace Cpe.Platform.Configuration;

/// <summary>
/// The "system" section. The host name goes to the kernel; the rest (domain, time zone, NTP,
/// syslog, users, banner) is stored and read by the daemon where it is used.
/// </summary>
public sealed class SystemReconciler(IHostNameKernel kernel) : IReconciler
{
    /// <summary>A box with no host name configured uses this one.</summary>
    public const string DefaultHostName = "cpe";

    public string Subsystem => "system";

    public PreparedConfig Prepare(JsonObject next)
    {
        string wanted = next["system"]?["host-name"]?.GetValue<string>() ?? DefaultHostName;
        return PreparedConfig.Ready(_ =>
        {
            // Compare with the kernel, not with what was applied before: the kernel is the truth about it.
            if (kernel.Get() != wanted) kernel.Set(wanted);
            return Task.CompletedTask;
        });
    }
}
