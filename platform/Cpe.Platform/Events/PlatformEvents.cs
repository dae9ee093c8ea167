using Cpe.Api;
using Cpe.Platform.State;

namespace Cpe.Platform.Events;

/// <summary>
/// The box's event log and alarms: kept in the store (bounded) and streamed to every API client
/// that opened the "events" channel.
/// </summary>
public sealed class PlatformEvents(StateStore store)
{
    public Broadcast<ApiEvent> Live { get; } = new();

    public void Record(string type, string text)
    {
        var e = store.AddEvent(type, text);
        Live.Publish(new ApiEvent(e.Id, e.Time, e.Type, e.Text));
    }

    /// <summary>Raises an alarm (once per type while active) and records the event.</summary>
    public void RaiseAlarm(string type, string severity, string text)
    {
        var (_, isNew) = store.RaiseAlarm(type, severity, text);
        if (isNew) Record("alarm-raised", $"{severity} alarm {type}: {text}");
    }

    public void ClearAlarm(string type)
    {
        if (store.ClearAlarm(type)) Record("alarm-cleared", $"alarm {type} cleared");
    }
}
