namespace Cpe.Platform.Api;

/// <summary>
/// Gives memory back once a flood of connections has passed. A storm of refused or dropped connections (and the channel
/// offers they carried) leaves the garbage collector's heap and the buffer pools grown to the storm's size, and the
/// runtime keeps what it grew: cped's resident memory would stay at the flood's peak. When at least
/// <see cref="StormSize"/> connections have ended since the last relief and none has for <see cref="Quiet"/>, one
/// aggressive, compacting collection returns the memory to the system.
/// </summary>
sealed class StormRelief(TimeProvider clock) : IDisposable
{
    public const int StormSize = 50;
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    int _ended;
    long _lastEnded;
    ITimer? _timer;

    public void Start() => _timer = clock.CreateTimer(_ => Check(), null, Quiet, Quiet);

    /// <summary>A connection was refused, dropped or closed.</summary>
    public void Ended()
    {
        Interlocked.Increment(ref _ended);
        Interlocked.Exchange(ref _lastEnded, clock.GetTimestamp());
    }

    void Check()
    {
        if (Volatile.Read(ref _ended) < StormSize) return;
        if (clock.GetElapsedTime(Interlocked.Read(ref _lastEnded)) < Quiet) return;
        Interlocked.Exchange(ref _ended, 0);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    public void Dispose() => _timer?.Dispose();
}
