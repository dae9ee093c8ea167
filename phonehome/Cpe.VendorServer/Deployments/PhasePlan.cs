namespace Cpe.VendorServer.Deployments;

/// <summary>
/// How many devices each phase takes, worked out once when the deployment is created from the size of its target then.
/// A count is that many more devices; a percentage is cumulative (phases 1 %, 10 %, 100 %: the first 1 % of the target,
/// then up to 10 % of it, then the rest), rounded up, at least one device more than the phase before. 100 % has no
/// limit: devices that join the target later (a box finishing zero-touch) still join the deployment.
/// </summary>
public static class PhasePlan
{
    public const long Unlimited = long.MaxValue;

    /// <summary>The automatic split: one device, then 10 % of the target, then the rest.</summary>
    public static PhaseSpec[] Automatic(int bakeSeconds) => [new(Count: 1, BakeSeconds: bakeSeconds), new(Percent: 10, BakeSeconds: bakeSeconds), new(Percent: 100, BakeSeconds: bakeSeconds)];

    /// <summary>Each phase's own size (devices it takes) and bake time.</summary>
    public static (long Size, int BakeSeconds)[] Sizes(DeploymentSpec spec, long targetSize)
    {
        var phases = spec.Phases ?? Automatic(spec.Bake);
        var sizes = new (long, int)[phases.Length];
        long total = 0;
        for (int i = 0; i < phases.Length; i++)
        {
            var p = phases[i];
            long size;
            if (p.Percent is >= 100) size = Unlimited;
            else
            {
                long until = p.Count is int count ? total + count : Math.Max(total + 1, (long)Math.Ceiling(p.Percent!.Value * targetSize / 100));
                size = until - total;
                total = until;
            }
            sizes[i] = (size, p.BakeSeconds ?? spec.Bake);
            if (size == Unlimited) return sizes[..(i + 1)];   // nothing comes after "the rest"
        }
        return sizes;
    }
}

/// <summary>When the error threshold halts a deployment: counted over the current phase, failures an operator accepted on resume left out.</summary>
public static class HaltRule
{
    public static string? Exceeded(ErrorThreshold t, long failures, long finished)
    {
        if (t.Count is int count && failures >= count) return $"{failures} device(s) failed (threshold {count})";
        if (t.Percent is double percent && finished >= t.MinimumSample && failures * 100.0 >= percent * finished)
            return $"{failures} of {finished} finished device(s) failed, {failures * 100.0 / finished:0.#} % (threshold {percent:0.#} % of at least {t.MinimumSample})";
        return null;
    }
}
