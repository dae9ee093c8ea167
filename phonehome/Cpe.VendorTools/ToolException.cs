namespace Cpe.VendorTools;

/// <summary>
/// A mistake in the tool's use: printed as one line, exit code 1. Only a missing or unknown command is followed by
/// the usage (<paramref name="showUsage"/>): a wrong option needs its line, not three screens of every command.
/// </summary>
sealed class ToolException(string message, bool showUsage = false) : Exception(message)
{
    public bool ShowUsage { get; } = showUsage;
}
