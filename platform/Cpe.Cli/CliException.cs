using Cpe.Api;

namespace Cpe.Cli;

/// <summary>A command failed; the message is what the technician sees, the code what a script sees.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.CommandFailed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>The word of the command line that is wrong, when one is: the console puts a caret under it.</summary>
    public string? Token { get; init; }

    /// <summary>Turns an API error into one or two clear lines and a documented exit code.</summary>
    public static CliException From(RpcException e)
    {
        int code = e.Code switch
        {
            RpcErrorCodes.PermissionDenied => ExitCodes.PermissionDenied,
            RpcErrorCodes.ConfigInvalid or RpcErrorCodes.CommitFailed => ExitCodes.ConfigRejected,
            RpcErrorCodes.AuthenticationFailed => ExitCodes.LoginFailed,
            _ => ExitCodes.CommandFailed,
        };
        string text = e.Details?.Errors is { Length: > 0 } errors
            ? string.Join("\nerror: ", errors.Select(x => x.Path.Length == 0 ? x.Message : $"{x.Path}: {x.Message}"))
            : e.Message;
        return new CliException(text, code);
    }
}

/// <summary>cpe's exit status (docs/guides/cli.md, "Exit codes").</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int CommandFailed = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
    public const int PermissionDenied = 4;
    public const int ConfigRejected = 5;
    public const int LoginFailed = 6;
}
