namespace ActionConnections.KeyManagement;

internal static class KeyManagementApi
{
    public static IEndpointRouteBuilder MapKeyManagement(this IEndpointRouteBuilder routes) => routes;
}
