namespace Cpe.VendorTools;

/// <summary>A mistake in the tool's use: printed as one line, exit code 1.</summary>
sealed class ToolException(string message) : Exception(message);
