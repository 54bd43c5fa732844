namespace ActionConnections.Errors;

/// <summary>
/// One error as the service means it. How it is rendered depends on the API family of the
/// request (<see cref="ErrorFamily"/>): JSON:API error objects for the Action Connection family,
/// plain strings for key management. Fields left null are omitted from the wire, so recorded
/// bodies (some of which have no <c>status</c> or <c>title</c>) are reproduced exactly.
/// </summary>
internal sealed record ApiError(string Detail, string? Title = null, string? Status = null, string? Pointer = null, string? Parameter = null)
{
    public const string GenericTitle = "Generic Error";
}

/// <summary>An error response: a status code and every error it reports.</summary>
internal sealed record ApiProblem(int StatusCode, IReadOnlyList<ApiError> Errors)
{
    public ApiProblem(int statusCode, ApiError error)
        : this(statusCode, [error])
    {
    }

    public static ApiProblem Forbidden(string detail = "Forbidden") =>
        new(StatusCodes.Status403Forbidden, new ApiError(detail, "Forbidden", "403"));

    public static ApiProblem BadRequest(string detail, string? pointer = null) =>
        new(StatusCodes.Status400BadRequest, new ApiError(detail, "Bad Request", "400", pointer));

    public static ApiProblem Validation(IReadOnlyList<ApiError> errors) =>
        new(StatusCodes.Status400BadRequest, errors);

    /// <summary>
    /// The recorded body for a path parameter that is not a UUID on the app key registration
    /// operations: <c>invalid parameter "appKeyId" in "path"; expected type "uuid"</c>.
    /// </summary>
    public static ApiProblem InvalidPathUuid(string parameterName) =>
        new(StatusCodes.Status400BadRequest, new ApiError(
            $"invalid parameter \"{parameterName}\" in \"path\"; expected type \"uuid\"", "Invalid Parameter", "400"));

    public static ApiProblem InvalidQuery(string parameterName, string expectation) =>
        new(StatusCodes.Status400BadRequest, new ApiError(
            $"invalid parameter \"{parameterName}\" in \"query\"; {expectation}", "Invalid Parameter", "400", Parameter: parameterName));
}
