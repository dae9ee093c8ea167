namespace Cpe.TestKit;

/// <summary>
/// Emulated machines on this 2-core host, in two lanes: a machine with one vCPU takes one lane, so two such boot side
/// by side (measured: each reaches its login prompt as fast as one alone); a machine with two vCPUs takes both. More
/// TCG vCPUs than cores starve one another's timers (the guest kernel then reports RCU stalls and never reaches its
/// script). The kernel lab (two vCPUs) and the firmware image (one) share these lanes.
/// </summary>
public static class LabMachines
{
    const int Lanes = 2;
    static readonly SemaphoreSlim Free = new(Lanes, Lanes);
    static readonly SemaphoreSlim Gathering = new(1, 1);

    /// <summary>Waits for one lane (a one-vCPU machine); disposing the lease gives it back.</summary>
    public static async Task<IDisposable> OneLaneAsync()
    {
        await Free.WaitAsync();
        return new Lease(1);
    }

    /// <summary>Waits for every lane (a two-vCPU machine); one caller at a time gathers them, so two never deadlock.</summary>
    public static async Task<IDisposable> AllLanesAsync()
    {
        await Gathering.WaitAsync();
        int held = 0;
        try
        {
            for (; held < Lanes; held++) await Free.WaitAsync();
            return new Lease(Lanes);
        }
        catch
        {
            if (held > 0) Free.Release(held);
            throw;
        }
        finally { Gathering.Release(); }
    }

    sealed class Lease(int lanes) : IDisposable
    {
        int _lanes = lanes;

        public void Dispose()
        {
            int lanes = Interlocked.Exchange(ref _lanes, 0);
            if (lanes > 0) Free.Release(lanes);
        }
    }
}
