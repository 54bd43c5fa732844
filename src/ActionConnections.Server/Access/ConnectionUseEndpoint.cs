using ActionConnections.Audit;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionConnections.Access;

/// <summary>
/// What a use of a connection answers, and what its audit event adds (never a secret); null
/// detail when there is nothing to add.
/// </summary>
internal readonly record struct ConnectionUseAnswer<T>(Results<JsonApiResult<T>, ApiProblemResult> Result, string? Detail);

/// <summary>
/// The one order of the endpoints that use a connection without showing its credential
/// (http_requests, credentials): the path's id must be a UUID, then the body is read, then the
/// caller must hold the relation <c>resolver</c> on the connection, then the use runs; whatever the
/// answer, the endpoint's audit event records its status and the use's detail.
/// </summary>
internal static class ConnectionUseEndpoint
{
    /// <summary>
    /// <c>use</c> runs the use and answers null when the connection is not in the caller's
    /// organisation; <c>notFoundDetail</c> is the real service's words for that on this endpoint.
    /// </summary>
    public static async Task<Results<JsonApiResult<T>, ApiProblemResult>> RunAsync<TInput, T>(
        string rawConnectionId,
        Caller caller,
        AuditedAction audit,
        ConnectionAccess access,
        AuditRecorder recorder,
        Func<CancellationToken, Task<Validated<TInput>>> read,
        Func<Guid, TInput, CancellationToken, Task<ConnectionUseAnswer<T>?>> use,
        string notFoundDetail,
        CancellationToken ct)
    {
        var answer = await AnswerAsync();
        await recorder.RecordOutcomeAsync(audit, AuditedEndpoints.StatusOf(answer.Result.Result), answer.Detail, ct);
        return answer.Result;

        async Task<ConnectionUseAnswer<T>> AnswerAsync()
        {
            if (!RouteIds.TryParseUuid(rawConnectionId, out var id))
            {
                return new(new ApiProblemResult(new ApiProblem(StatusCodes.Status400BadRequest, new ApiError("error connectionId not a valid UUID", ApiError.GenericTitle))), null);
            }

            if (!(await read(ct)).TryGetValue(out var input, out var invalid))
            {
                return new(new ApiProblemResult(invalid), null);
            }

            // A connection the caller may not view answers exactly as a missing one (issue 15).
            var allowed = await access.AuthorizeAsync(caller, id, Relation.Resolver, ct, resolving: true);
            if (allowed == AccessOutcome.Forbidden)
            {
                return new(new ApiProblemResult(ConnectionAccessEndpoints.ForbiddenProblem(Relation.Resolver, resolving: true)), null);
            }

            var answer = allowed == AccessOutcome.NotFound ? null : await use(id, input, ct);
            return answer ?? new(new ApiProblemResult(new ApiProblem(StatusCodes.Status404NotFound, new ApiError(notFoundDetail, ApiError.GenericTitle))), null);
        }
    }
}
