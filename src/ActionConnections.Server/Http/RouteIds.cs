namespace ActionConnections.Http;

internal static class RouteIds
{
    /// <summary>Parses a canonical UUID (with dashes, any case), as the real service accepts.</summary>
    public static bool TryParseUuid(string? text, out Guid id) =>
        Guid.TryParseExact(text, "D", out id);
}
