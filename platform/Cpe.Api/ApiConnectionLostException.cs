namespace Cpe.Api;

/// <summary>The connection to cped ended (the daemon stopped or died); no call on this client can succeed.</summary>
public sealed class ApiConnectionLostException(string message, Exception? inner = null) : IOException(message, inner);
