namespace Cpe.VendorServer;

/// <summary>"--name value" options after the subcommand.</summary>
public sealed class CommandLine(string[] args)
{
    public string? Optional(string name) => args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault();
    public string Required(string name) => Optional(name) ?? throw new ArgumentException($"--{name} is required");
    public bool Has(string name) => args.Contains("--" + name);
}
