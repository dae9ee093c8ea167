namespace Cpe.Api;

/// <summary>A JSON-RPC error: thrown by handlers on the server, raised by the client on an error response.</summary>
public sealed class RpcException(int code, string message, RpcErrorData? data = null) : Exception(message)
{
    public int Code { get; } = code;
    public RpcErrorData? Details { get; } = data;

    public RpcErrorBody ToBody() => new(Code, Message, Details);
}
