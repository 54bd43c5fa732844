using System.Collections.Frozen;
using System.Security.Cryptography;

namespace ActionConnections.WebConsole;

/// <summary>
/// The console's stylesheet and script, embedded in the server assembly: the console works
/// air-gapped, with nothing fetched from anywhere but this server.
/// </summary>
internal static class ConsoleAssets
{
    private static readonly FrozenDictionary<string, Asset> Assets = new Dictionary<string, Asset>(StringComparer.Ordinal)
    {
        ["console.css"] = Load("console.css", "text/css; charset=utf-8"),
        ["console.js"] = Load("console.js", "text/javascript; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IResult Serve(string name, HttpContext context)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return TypedResults.NotFound();
        }

        // No data in these: they may be cached, and are revalidated by their hash.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static Asset Load(string name, string contentType)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream($"ActionConnections.WebConsole.Assets.{name}")
            ?? throw new InvalidOperationException($"The console asset {name} is not embedded.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        return new Asset(content, contentType, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
    }

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
