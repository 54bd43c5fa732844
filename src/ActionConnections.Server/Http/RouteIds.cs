using ActionConnections.Errors;

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

    /// <summary>
    /// Declares that the route value <paramref name="routeName"/>, where the route has it, must be
    /// a UUID, answered with <paramref name="invalid"/> before the caller's permissions are looked
    /// at (the recorded order of the app key registration operations). Handlers then read it with
    /// <see cref="Uuid"/>.
    /// </summary>
    public static TBuilder RequireUuidRouteValue<TBuilder>(this TBuilder builder, string routeName, ApiProblem invalid)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new UuidRouteValue(routeName, invalid));

    /// <summary>The answer to a request whose declared UUID route value is not one; null otherwise.</summary>
    public static ApiProblem? CheckUuidRouteValues(this Endpoint? endpoint, HttpRequest request)
    {
        if (endpoint?.Metadata.GetMetadata<UuidRouteValue>() is not { } declared
            || request.RouteValues[declared.RouteName] is not string text)
        {
            return null;
        }

        return TryParseUuid(text, out _) ? null : declared.Invalid;
    }

    /// <summary>A route value declared with <see cref="RequireUuidRouteValue{TBuilder}"/>, already checked by the gateway.</summary>
    public static Guid Uuid(string checkedText) => Guid.ParseExact(checkedText, "D");

    private sealed record UuidRouteValue(string RouteName, ApiProblem Invalid);
}
