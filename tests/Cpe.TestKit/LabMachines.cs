namespace Cpe.TestKit;

/// <summary>
/// One emulated machine at a time on this 2-core host: several under TCG starve one another's timers (the guest
/// kernel then reports RCU stalls and never reaches its script). The kernel lab and image boots share this.
/// </summary>
public static class LabMachines
{
    public static readonly SemaphoreSlim OneAtATime = new(1, 1);
}
