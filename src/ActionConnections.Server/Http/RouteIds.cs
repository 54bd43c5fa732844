namespace ActionConnections.Http;

internal static class RouteIds
{
    /// <summary>
    /// Parses a canonical UUID (36 characters with dashes, any case), as the real service accepts.
    /// The length check matters: <see cref="Guid.TryParseExact(string, string, out Guid)"/> also
    /// accepts surrounding white space.
    /// </summary>
    public static bool TryParseUuid(string? text, out Guid id)
    {
        id = Guid.Empty;
        return text is { Length: 36 } && Guid.TryParseExact(text, "D", out id);
    }
}
