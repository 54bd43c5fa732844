using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace ActionConnections.Bench.Proxy;

/// <summary>
/// The use-path comparison's two loopback peers, one per process:
/// <list type="bullet">
/// <item><c>--upstream URL --urls URL</c>: YARP forwarding everything to the upstream (loopback
/// only: the bench never leaves the machine) with <c>X-Bench-Key: bench-s3cret</c> added, the best
/// .NET proxy doing the least a use of an API-key connection does.</item>
/// <item><c>--fake-gcp-token --urls URL</c>: a stand-in for Google's OAuth 2.0 token endpoint
/// (<c>POST /token</c>), so the <c>credentials</c> row has a token to cache. It checks what it is
/// sent (a JWT-bearer grant with a three-part assertion) and answers a fixed bearer token valid
/// for an hour; anything else is a 400, which the bench reports as a failed run.</item>
/// </list>
/// </summary>
internal static class Program
{
    /// <summary>What the fake answers; never a real credential.</summary>
    private const string FakeToken = "ya29.bench-fake-token";

    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (builder.Configuration["fake-gcp-token"] is not null)
        {
            var fake = builder.Build();
            fake.MapPost("/token", IssueTokenAsync);
            fake.Run();
            return;
        }

        var upstream = builder.Configuration["upstream"] ?? throw new ArgumentException("--upstream URL is required");
        if (!Uri.TryCreate(upstream, UriKind.Absolute, out var upstreamUri) || !upstreamUri.IsLoopback)
        {
            throw new ArgumentException("--upstream must be an absolute loopback URL: the bench never leaves the machine");
        }

        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**rest}" } }],
                [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["d"] = new() { Address = upstream } } }])
            .AddTransforms(context => context.AddRequestHeader("X-Bench-Key", "bench-s3cret", append: false));
        var app = builder.Build();
        app.MapReverseProxy();
        app.Run();
    }

    /// <summary>RFC 7523's JWT-bearer grant, as Google.Apis.Auth sends it.</summary>
    private static async Task IssueTokenAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        if (form is null || form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || form["assertion"].ToString().Split('.').Length != 3)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"error":"invalid_grant","error_description":"bench fake: expected a jwt-bearer grant with a JWT assertion"}""", context.RequestAborted);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$"""{"access_token":"{{FakeToken}}","expires_in":3600,"token_type":"Bearer"}""", context.RequestAborted);
    }
}
