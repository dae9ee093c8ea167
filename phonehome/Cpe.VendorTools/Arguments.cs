namespace Cpe.VendorTools;

/// <summary>"--name value" options after the command words; repeated options keep every value.</summary>
sealed class Arguments
{
    readonly Dictionary<string, List<string>> _values = [];

    public Arguments(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var a in args)
        {
            if (pending is null)
            {
                if (!a.StartsWith("--", StringComparison.Ordinal)) throw new ToolException($"unexpected '{a}'");
                pending = a[2..];
            }
            else
            {
                (_values.TryGetValue(pending, out var list) ? list : _values[pending] = []).Add(a);
                pending = null;
            }
        }
        if (pending is not null) throw new ToolException($"--{pending} needs a value");
    }

    public string Required(string name) => Optional(name) ?? throw new ToolException($"--{name} is required");
    public string? Optional(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;
    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var v) ? v : [];

    public int Number(string name, int fallback) =>
        Optional(name) is string s ? int.TryParse(s, out int n) && n > 0 ? n : throw new ToolException($"--{name} must be a positive number") : fallback;
}
