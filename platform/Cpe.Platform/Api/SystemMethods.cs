using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cpe.Api;
using Cpe.Config.Schema;
using Cpe.Platform.Configuration;
using Cpe.Platform.State;
using EventInfo = Cpe.Api.EventInfo;

namespace Cpe.Platform.Api;

/// <summary>The system.* methods of the local API: version, uptime, alarms, sessions, the event log.</summary>
public sealed class SystemMethods(ConfigEngine engine, StateStore store, SessionRegistry sessions, SystemInfo system, TimeProvider clock, string model, DateTimeOffset startedAt)
{
    static ApiJsonContext J => ApiJsonContext.Default;

    /// <summary>The firmware image's version on the box (its os-release); the build's version elsewhere.</summary>
    public static string ProductVersion => Cpe.Image.Slots.FirmwareRelease.Running?.Version ??
        typeof(SystemMethods).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public void AddMethods(MethodTable t)
    {
        t.Add(ApiMethods.Version, Access.Read, J.Empty, J.VersionInfo, (_, _, _) => Task.FromResult(new VersionInfo(
            "CPE firmware", ProductVersion, model, ConfigSchema.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            RuntimeInformation.FrameworkDescription + (RuntimeFeature.IsDynamicCodeSupported ? " (JIT)" : " (NativeAOT)"))));
        t.Add(ApiMethods.Uptime, Access.Read, J.Empty, J.UptimeInfo, (_, _, _) =>
        {
            var last = store.Active();
            return Task.FromResult(new UptimeInfo(clock.GetUtcNow(), system.BootTime(), startedAt, last?.CreatedAt, last?.Author, system.LoadAverage()));
        });
        t.Add(ApiMethods.Alarms, Access.Read, J.Empty, J.AlarmInfoArray, (_, _, _) => Task.FromResult(
            store.ActiveAlarms().Select(a => new AlarmInfo(a.Id, a.Severity, a.Type, a.Text, a.RaisedAt)).ToArray()));
        t.Add(ApiMethods.Users, Access.Read, J.Empty, J.SessionInfoArray, (_, _, _) => Task.FromResult(sessions.Describe(engine, clock.GetUtcNow())));
        t.Add(ApiMethods.Log, Access.Read, J.LogParams, J.EventInfoArray, (_, p, _) => Task.FromResult(
            store.RecentEvents(Math.Clamp(p.Count <= 0 ? 50 : p.Count, 1, StateStore.KeptEvents))
                .Select(e => new EventInfo(e.Id, e.Time, e.Type, e.Text)).ToArray()));
    }
}
