namespace ActionConnections.Connections;

internal static class ConnectionsApi
{
    public static IHostApplicationBuilder AddConnections(this IHostApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapConnections(this IEndpointRouteBuilder routes) => routes;
}
