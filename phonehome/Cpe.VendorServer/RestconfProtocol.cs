using Cpe.Sztp;
using Microsoft.Net.Http.Headers;

namespace Cpe.VendorServer;

/// <summary>
/// RFC 8040 around RFC 8572's two operations: root discovery (§3.1 host-meta), the API root and its
/// yang-library-version (§3.3), the operations resource (§3.3.2), the YANG library (§10), media types checked on the
/// way in (Content-Type, §5.2) and out (Accept, 406), OPTIONS and 405 with Allow (§4.1), every answer with
/// Cache-Control (§5.5) and every error as an ietf-restconf:errors body (§7.1).
/// </summary>
public static class RestconfProtocol
{
    public const string Root = "/restconf";
    public const string YangLibraryVersion = "2019-01-04";
    const long MaxBodyBytes = 64 * 1024;

    static readonly string[] Operations = [Restconf.GetBootstrappingData, Restconf.ReportProgress];

    /// <summary>The modules this server implements, as its YANG library lists them.</summary>
    static readonly (string Name, string Revision, string Namespace)[] Modules =
    [
        ("ietf-sztp-bootstrap-server", "2019-04-30", "urn:ietf:params:xml:ns:yang:ietf-sztp-bootstrap-server"),
        ("ietf-restconf", "2017-01-26", "urn:ietf:params:xml:ns:yang:ietf-restconf"),
        ("ietf-yang-library", "2019-01-04", "urn:ietf:params:xml:ns:yang:ietf-yang-library"),
    ];

    public static IResult Error(int status, RestconfException e) => new Answer(status, e.ToJson());

    /// <summary>Discovery, the API root, the YANG library, and OPTIONS, 405 and 404 for the operations resource.</summary>
    public static void MapDiscovery(IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/host-meta", () => new Answer(200,
            "<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\n  <Link rel='restconf' href='/restconf'/>\n</XRD>\n"u8.ToArray(), "application/xrd+xml"));
        app.MapGet(Root, (HttpContext http) => Json(http, $$$"""{"ietf-restconf:restconf":{"data":{},"operations":{},"yang-library-version":"{{{YangLibraryVersion}}}"}}"""));
        app.MapGet($"{Root}/yang-library-version", (HttpContext http) => Json(http, $$"""{"ietf-restconf:yang-library-version":"{{YangLibraryVersion}}"}"""));
        app.MapGet($"{Root}/operations", (HttpContext http) => Json(http,
            "{\"ietf-restconf:operations\":{" + string.Join(",", Operations.Select(o => $"\"{o[(Root.Length + "/operations/".Length)..]}\":[null]")) + "}}"));
        app.MapGet($"{Root}/data/ietf-yang-library:yang-library", (HttpContext http) => Json(http, YangLibrary()));
        app.MapMethods($"{Root}/operations/{{operation}}", ["OPTIONS"], (HttpContext http, string operation) =>
        {
            if (!Known(http)) return UnknownOperation(operation);
            http.Response.Headers.Allow = "OPTIONS, POST";
            return Results.NoContent();
        });
        app.MapMethods($"{Root}/operations/{{operation}}", ["GET", "HEAD", "PUT", "PATCH", "DELETE"], (HttpContext http, string operation) =>
        {
            if (!Known(http)) return UnknownOperation(operation);
            http.Response.Headers.Allow = "OPTIONS, POST";
            return Error(405, new RestconfException("operation-not-supported", null, $"{http.Request.Method} is not allowed on an operation; use POST"));
        });
        app.MapPost($"{Root}/operations/{{operation}}", (string operation) => UnknownOperation(operation));
    }

    static bool Known(HttpContext http) => Operations.Contains(http.Request.Path.Value, StringComparer.Ordinal);

    static IResult UnknownOperation(string operation) =>
        Error(404, new RestconfException("invalid-value", null, $"no operation '{operation}' on this server; it has {string.Join(" and ", Operations.Select(o => o[(Root.Length + "/operations/".Length)..]))}"));

    static string YangLibrary()
    {
        var modules = string.Join(",", Modules.Select(m => $$"""{"name":"{{m.Name}}","revision":"{{m.Revision}}","namespace":"{{m.Namespace}}"}"""));
        return $$$"""{"ietf-yang-library:yang-library":{"module-set":[{"name":"sztp","module":[{{{modules}}}]}],"schema":[{"name":"sztp","module-set":["sztp"]}],"datastore":[{"name":"ietf-datastores:operational","schema":"sztp"}],"content-id":"cpe-{{{YangLibraryVersion}}}"}}""";
    }

    static IResult Json(HttpContext http, string body) =>
        AcceptsJson(http.Request) ? new Answer(200, System.Text.Encoding.UTF8.GetBytes(body)) : NotAcceptable();

    /// <summary>The checks before an operation's input is read: what the client accepts, what it sent, and how much.</summary>
    public static async Task<(byte[] Body, IResult? Refusal)> ReadInputAsync(HttpContext http)
    {
        if (!AcceptsJson(http.Request)) return ([], NotAcceptable());
        if (await BoundedBody.ReadAsync(http, MaxBodyBytes) is not byte[] body) return ([], TooLarge());
        // Every input of get-bootstrapping-data is optional: no body needs no Content-Type (RFC 8040 §3.6.1).
        if (body.Length > 0 && !IsYangJson(http.Request.ContentType))
            return ([], Error(415, new RestconfException("malformed-message", null, $"the body must be {Restconf.MediaType}, not '{http.Request.ContentType}'")));
        return (body, null);
    }

    /// <summary>Content-Type by media type, case-insensitively, parameters aside ("application/yang-data+jsonfoo" is not it).</summary>
    static bool IsYangJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.Equals(Restconf.MediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>No Accept, or one that admits application/yang-data+json with a quality above zero.</summary>
    static bool AcceptsJson(HttpRequest request)
    {
        if (request.Headers.Accept.Count == 0) return true;
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)) return true;   // unparsable: as if absent (RFC 9110 §12.5.1)
        return accepted.Any(a => a.Quality is not 0 && (a.MediaType.Equals("*/*", StringComparison.Ordinal)
            || a.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase)
            || a.MediaType.Equals(Restconf.MediaType, StringComparison.OrdinalIgnoreCase)));
    }

    static IResult NotAcceptable() =>
        Error(406, new RestconfException("malformed-message", null, $"this server answers in {Restconf.MediaType} only"));

    static IResult TooLarge() =>
        Error(413, new RestconfException("too-big", null, $"the body is larger than {MaxBodyBytes} bytes"));

    /// <summary>A RESTCONF answer: its status, media type and Cache-Control (answers carry device-specific data: not stored).</summary>
    sealed class Answer(int status, byte[] body, string contentType = Restconf.MediaType) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = contentType;
            http.Response.Headers.CacheControl = "no-store";
            return http.Request.Method == HttpMethods.Head ? Task.CompletedTask : http.Response.Body.WriteAsync(body).AsTask();
        }
    }

    /// <summary>An operation's output (or 204 without one), with the headers every RESTCONF answer has.</summary>
    public static IResult Output(byte[]? body)
    {
        if (body is not null) return new Answer(200, body);
        return new NoContent();
    }

    sealed class NoContent : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = 204;
            http.Response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }
    }
}
