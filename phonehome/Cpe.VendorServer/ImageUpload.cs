using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;

namespace Cpe.VendorServer;

/// <summary>
/// A firmware image streamed to disk while hashed, never held in memory, up to a configured ceiling: a body over it
/// is a 413 and leaves nothing behind. The partial file lives in the images folder's ".uploads" (a name no image can
/// take, since image names cannot start with '.') and replaces the image only when complete.
/// </summary>
public static class ImageUpload
{
    public readonly record struct Result(string Sha256, long Size, IResult? Refusal);

    /// <param name="name">The file's name in <paramref name="imageFolder"/>; null: its SHA-256 (content never replaced by other content).</param>
    /// <param name="check">Looks at the complete upload (its temporary file and SHA-256) before it replaces anything; a refusal leaves nothing.</param>
    public static async Task<Result> ReceiveAsync(HttpContext http, string imageFolder, string? name, long maxBytes, Func<string, string, IResult?>? check = null)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBytes;
        if (http.Request.ContentLength > maxBytes) return TooLarge(maxBytes);
        string uploads = Path.Combine(imageFolder, ".uploads");
        Directory.CreateDirectory(uploads);
        string temporary = Path.Combine(uploads, Guid.NewGuid().ToString("N"));
        try
        {
            long size = 0;
            string sha256;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
                {
                    size += n;
                    if (size > maxBytes) return TooLarge(maxBytes);
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), http.RequestAborted);
                }
                sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            if (check?.Invoke(temporary, sha256) is IResult refused) return new Result(sha256, size, refused);
            File.Move(temporary, Path.Combine(imageFolder, name ?? sha256), overwrite: true);
            return new Result(sha256, size, null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return TooLarge(maxBytes); }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    static Result TooLarge(long maxBytes) =>
        new("", 0, Results.Problem($"the image is larger than this server's limit of {maxBytes} bytes (--max-image-mib)", statusCode: StatusCodes.Status413PayloadTooLarge));
}
