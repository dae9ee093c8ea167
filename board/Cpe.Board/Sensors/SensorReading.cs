using System.Globalization;
using Cpe.Board.Profile;

namespace Cpe.Board.Sensors;

/// <summary>One sensor read now: its value in the unit of its kind, or why it could not be read, and its status.</summary>
public sealed record SensorReading(SensorProfile Sensor, double? Value, string Status, string? Problem = null)
{
    public string Unit => Sensor.Kind switch { "temperature" => "°C", "fan" => "RPM", _ => "V" };
}

/// <summary>
/// hwmon sensors read from sysfs (Documentation/hwmon/sysfs-interface.rst): temperatures in millidegrees Celsius, fan
/// speeds in RPM, voltages in millivolts, each an integer in its own file. The sysfs root comes from the profile, so
/// the simulated board and tests use their own tree. hwmonN numbers follow driver probe order and can change between
/// boots, so a path may start with "hwmon:NAME/" instead: the hwmon device whose name file says NAME.
/// </summary>
public sealed class Hwmon(string sysfsRoot)
{
    string Resolve(string path)
    {
        if (!path.StartsWith("hwmon:", StringComparison.Ordinal)) return Path.Combine(sysfsRoot, path);
        var (name, file) = (path[6..].Split('/', 2)[0], path[6..].Split('/', 2).ElementAtOrDefault(1) ?? "");
        string hwmon = Path.Combine(sysfsRoot, "class/hwmon");
        var device = Directory.Exists(hwmon)
            ? Directory.GetDirectories(hwmon).Order(StringComparer.Ordinal).FirstOrDefault(d => ReadName(d) == name) : null;
        return device is null ? throw new FileNotFoundException($"no hwmon device named '{name}' under {hwmon}") : Path.Combine(device, file);
    }

    static string? ReadName(string device)
    {
        try { return File.ReadAllText(Path.Combine(device, "name")).Trim(); }
        catch (IOException) { return null; }
    }

    public SensorReading Read(SensorProfile sensor)
    {
        string path;
        try { path = Resolve(sensor.Path); }
        catch (FileNotFoundException e) { return new SensorReading(sensor, null, "unreadable", e.Message); }
        string text;
        try { text = File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return new SensorReading(sensor, null, "unreadable", e.Message); }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long raw))
            return new SensorReading(sensor, null, "unreadable", $"{path} holds '{text}', not a number");
        double value = sensor.Kind == "fan" ? raw : raw / 1000.0;
        return new SensorReading(sensor, value, StatusOf(sensor, value));
    }

    /// <summary>"critical" past the critical threshold, "high"/"low" past those, else "ok".</summary>
    public static string StatusOf(SensorProfile s, double value) =>
        value >= s.Critical ? "critical" : value >= s.High ? "high" : value <= s.Low ? "low" : "ok";
}
