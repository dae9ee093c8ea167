using System.Globalization;

namespace Cpe.Platform.Api;

/// <summary>Facts about the running system read from /proc (the root is injectable for tests).</summary>
public sealed class SystemInfo(string procRoot = "/proc")
{
    public DateTimeOffset BootTime()
    {
        foreach (var line in File.ReadLines(Path.Combine(procRoot, "stat")))
            if (line.StartsWith("btime ", StringComparison.Ordinal))
                return DateTimeOffset.FromUnixTimeSeconds(long.Parse(line.AsSpan(6), CultureInfo.InvariantCulture));
        throw new InvalidDataException("no btime in /proc/stat");
    }

    public double[] LoadAverage()
    {
        var parts = File.ReadAllText(Path.Combine(procRoot, "loadavg")).Split(' ');
        return parts.Take(3).Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
    }
}
