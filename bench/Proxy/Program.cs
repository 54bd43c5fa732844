using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace ActionConnections.Bench.Proxy;

/// <summary>
/// YARP forwarding everything to <c>--upstream URL</c> (loopback only: the bench never leaves the
/// machine) with <c>X-Bench-Key: bench-s3cret</c> added, the best .NET proxy doing the least a
/// use of an API-key connection does. Usage: <c>Proxy --upstream http://127.0.0.1:PORT --urls http://127.0.0.1:PORT</c>.
/// </summary>
internal static class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var upstream = builder.Configuration["upstream"] ?? throw new ArgumentException("--upstream URL is required");
        if (!Uri.TryCreate(upstream, UriKind.Absolute, out var upstreamUri) || !upstreamUri.IsLoopback)
        {
            throw new ArgumentException("--upstream must be an absolute loopback URL: the bench never leaves the machine");
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddReverseProxy()
            .LoadFromMemory(
                [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**rest}" } }],
                [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["d"] = new() { Address = upstream } } }])
            .AddTransforms(context => context.AddRequestHeader("X-Bench-Key", "bench-s3cret", append: false));
        var app = builder.Build();
        app.MapReverseProxy();
        app.Run();
    }
}
