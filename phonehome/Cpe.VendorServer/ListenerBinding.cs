namespace Cpe.VendorServer;

/// <summary>
/// Binds endpoints to the ports they were mapped for, by the port the connection arrived on. Host-name matching
/// (RequireHost) is the client's word: a device could name the admin port in its Host header and reach the admin
/// API through the device port.
/// </summary>
public static class ListenerBinding
{
    /// <summary>Endpoint metadata: the local ports this endpoint answers on.</summary>
    public sealed record LocalPorts(IReadOnlySet<int> Ports);

    public static TBuilder OnPorts<TBuilder>(this TBuilder builder, IEnumerable<Uri> urls) where TBuilder : IEndpointConventionBuilder
    {
        var ports = new LocalPorts(urls.Select(u => u.Port).ToHashSet());
        builder.Add(endpoint => endpoint.Metadata.Add(ports));
        return builder;
    }

    /// <summary>After routing: an endpoint reached on a port it was not mapped for is answered 404, as if absent.</summary>
    public static void UseListenerBinding(this WebApplication app)
    {
        app.UseRouting();
        app.Use(async (http, next) =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<LocalPorts>() is { } bound && !bound.Ports.Contains(http.Connection.LocalPort))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await next(http);
        });
    }
}
