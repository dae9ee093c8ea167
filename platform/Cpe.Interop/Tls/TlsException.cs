namespace Cpe.Interop;

/// <summary>A TLS failure (handshake refused, bad record, key not loadable): an IOException, as SslStream's are.</summary>
public sealed class TlsException(string message) : IOException(message);
