using System.Text.Json.Serialization;

using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionConnections.Bench.Ceiling;

/// <summary>
/// A minimal API that answers one small JSON object, built by the same slim host builder as the
/// server: what this machine's Kestrel does when the application does nothing.
/// </summary>
internal static class Program
{
    private static readonly CeilingResponse Answer = new(new CeilingData("6f1c3c1e-2b53-4c1a-9d1e-3a5f0c2b7d11", "ceiling"));

    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, CeilingJsonContext.Default));
        var app = builder.Build();
        app.MapGet("/ceiling", Get);
        app.Run();
    }

    private static Ok<CeilingResponse> Get() => TypedResults.Ok(Answer);
}

internal sealed record CeilingResponse([property: JsonPropertyName("data")] CeilingData Data);

internal sealed record CeilingData([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("type")] string Type);

[JsonSerializable(typeof(CeilingResponse))]
internal sealed partial class CeilingJsonContext : JsonSerializerContext;
