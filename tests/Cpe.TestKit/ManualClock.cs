namespace Cpe.TestKit;

/// <summary>A clock that moves only when a test says so; its timers fire as it passes their due time.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    DateTimeOffset _now = start;
    readonly List<ManualTimer> _timers = [];

    public override DateTimeOffset GetUtcNow() { lock (_timers) return _now; }

    // Timestamps move with the clock too, so that code measuring elapsed time sees Advance.
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() { lock (_timers) return _now.UtcTicks; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var t = new ManualTimer(this, callback, state);
        t.Change(dueTime, period);
        lock (_timers) _timers.Add(t);
        return t;
    }

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_timers)
        {
            _now += by;
            due = _timers.Where(t => t.DueAt is DateTimeOffset d && d <= _now).ToList();
            foreach (var t in due) t.DueAt = t.Period > TimeSpan.Zero ? _now + t.Period : null;
        }
        foreach (var t in due) t.Fire();
    }

    public sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }
        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._timers)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            }
            return true;
        }

        internal void Fire() => callback(state);

        public void Dispose() { lock (clock._timers) { DueAt = null; clock._timers.Remove(this); } }
        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
