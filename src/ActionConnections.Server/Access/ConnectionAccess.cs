using System.Collections.Concurrent;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Errors;
using ActionConnections.Gateway;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ActionConnections.Access;

/// <summary>The answer of the one access check for one connection and one caller.</summary>
internal enum AccessOutcome
{
    /// <summary>The caller has the relation (and, for <see cref="Relation.Resolver"/>, <c>connections_resolve</c>).</summary>
    Allowed,

    /// <summary>No such connection in the caller's organisation, or the caller may not even view it: answer as for a missing one.</summary>
    NotFound,

    /// <summary>The caller sees the connection but lacks the relation or permission: 403.</summary>
    Forbidden,
}

/// <summary>
/// The one authorization check of a connection (ADR 0016): the caller's relation (viewer ⊂
/// resolver ⊂ editor) from the connection's restriction policy, or the default when it has none.
/// Every operation on one connection asks <see cref="AuthorizeAsync"/> (or <see cref="RelationOfAsync"/>);
/// the list asks the same rule in SQL (<see cref="SqlAccessStore.VisibleConnectionSql"/>) so it
/// filters before paging, and <see cref="RelationsOfAsync"/> for the page it returns.
/// Relations are remembered for at most <see cref="GatewayOptions.AuthCacheSeconds"/>, the bound
/// already documented for authentications: a policy changed through this server applies at once
/// (<see cref="Invalidate"/>), one changed through another replica within that bound. A missing
/// connection is never remembered.
/// </summary>
internal sealed class ConnectionAccess(IAccessStore store, TimeProvider time, IOptions<GatewayOptions> options)
{
    /// <summary>More (caller, connection) pairs than a deployment reads within one cache period; past it the cache starts over.</summary>
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<Key, Entry> _entries = new();
    private readonly long _ttlTicks = TimeSpan.FromSeconds(options.Value.AuthCacheSeconds).Ticks;
    private long _generation;
    private int _added;

    /// <summary>The caller's relation to the connection; <see cref="Relation.None"/> when it is missing or invisible.</summary>
    public async Task<Relation> RelationOfAsync(Caller caller, Guid connectionId, CancellationToken cancellationToken)
    {
        var key = new Key(caller.OrgId, caller.PrincipalId, connectionId);
        var now = time.GetUtcNow().UtcTicks;
        var generation = Volatile.Read(ref _generation);
        if (_ttlTicks > 0 && _entries.TryGetValue(key, out var entry) && entry.ExpiresAt > now && entry.Generation == generation)
        {
            return entry.Relation;
        }

        var found = await store.FindFactsAsync(caller.OrgId, connectionId, caller.PrincipalId, cancellationToken);
        if (found is not { } facts)
        {
            return Relation.None;
        }

        var relation = facts.Facts.RelationOf(caller.OrgId, caller.PrincipalId, facts.RoleId);
        Remember(key, relation, now, generation);
        return relation;
    }

    /// <summary>
    /// The caller's relation to the connection and the connection as <paramref name="read"/> reads
    /// it, in one query either way: with the relation remembered, <paramref name="read"/> only;
    /// without, <paramref name="readWithFacts"/>, which reads the row with its access facts (and
    /// the relation is remembered as <see cref="RelationOfAsync"/> would). The row is null when the
    /// relation is <see cref="Relation.None"/>, so an invisible connection reads as a missing one.
    /// </summary>
    public async Task<(Relation Relation, T? Row)> ReadAsync<T>(
        Caller caller,
        Guid connectionId,
        Func<CancellationToken, Task<T?>> read,
        Func<CancellationToken, Task<(T Row, AccessFacts Facts, Guid? RoleId)?>> readWithFacts,
        CancellationToken cancellationToken)
        where T : class
    {
        var key = new Key(caller.OrgId, caller.PrincipalId, connectionId);
        var now = time.GetUtcNow().UtcTicks;
        var generation = Volatile.Read(ref _generation);
        if (_ttlTicks > 0 && _entries.TryGetValue(key, out var entry) && entry.ExpiresAt > now && entry.Generation == generation)
        {
            return entry.Relation == Relation.None ? (Relation.None, null) : (entry.Relation, await read(cancellationToken));
        }

        if (await readWithFacts(cancellationToken) is not { } found)
        {
            return (Relation.None, null);
        }

        var relation = found.Facts.RelationOf(caller.OrgId, caller.PrincipalId, found.RoleId);
        Remember(key, relation, now, generation);
        return relation == Relation.None ? (Relation.None, null) : (relation, found.Row);
    }

    /// <summary>
    /// Whether the caller may act on the connection with <paramref name="required"/>. Resolving
    /// (<see cref="Relation.Resolver"/> and above, when used to resolve) also needs <c>connections_resolve</c>:
    /// pass <paramref name="resolving"/> for the operations that use or reveal the credential.
    /// </summary>
    public async Task<AccessOutcome> AuthorizeAsync(Caller caller, Guid connectionId, Relation required, CancellationToken cancellationToken, bool resolving = false)
    {
        var relation = await RelationOfAsync(caller, connectionId, cancellationToken);
        if (relation == Relation.None)
        {
            return AccessOutcome.NotFound;
        }

        if (relation < required || (resolving && !CanResolve(caller, relation)))
        {
            return AccessOutcome.Forbidden;
        }

        return AccessOutcome.Allowed;
    }

    /// <summary><c>acting_user_can_resolve</c>: the relation <c>resolver</c> and the permission <c>connections_resolve</c>.</summary>
    public static bool CanResolve(Caller caller, Relation relation) =>
        relation >= Relation.Resolver && caller.Has(Permission.ConnectionsResolve);

    /// <summary>The caller's relation to each of a page of connections the list returned (all visible, by its SQL rule).</summary>
    public async Task<IReadOnlyDictionary<Guid, Relation>> RelationsOfAsync(Caller caller, Guid? roleId, IReadOnlyList<(Guid Id, Guid CreatedBy)> connections, CancellationToken cancellationToken)
    {
        var bindings = await store.BindingsOfAsync(caller.OrgId, [.. connections.Select(c => c.Id)], cancellationToken);
        var relations = new Dictionary<Guid, Relation>(connections.Count);
        foreach (var (id, createdBy) in connections)
        {
            var facts = new AccessFacts(createdBy, bindings.TryGetValue(id, out var list) ? list : []);
            relations[id] = facts.RelationOf(caller.OrgId, caller.PrincipalId, roleId);
        }

        return relations;
    }

    /// <summary>The caller's role id, for the list's SQL visibility rule.</summary>
    public Task<Guid?> RoleIdOfAsync(Caller caller, CancellationToken cancellationToken) =>
        store.RoleIdOfAsync(caller.OrgId, caller.PrincipalId, cancellationToken);

    /// <summary>Forgets every remembered relation: a policy or connection changed through this server.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private void Remember(Key key, Relation relation, long now, long generation)
    {
        if (_ttlTicks <= 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _added) > MaxEntries)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _added, 1);
        }

        // Stamped with the generation read before the lookup: an invalidation meanwhile makes it stale at once.
        _entries[key] = new Entry(relation, now + _ttlTicks, generation);
    }

    private readonly record struct Key(Guid OrgId, Guid PrincipalId, Guid ConnectionId);

    private sealed record Entry(Relation Relation, long ExpiresAt, long Generation);
}

/// <summary>
/// The answers of the check in the connection family's shape. An endpoint that uses a connection
/// (HTTP requests, credentials) calls, after its permission checks,
/// <c>access.AuthorizeAsync(caller, id, Relation.Resolver, ct, resolving: true)</c> and answers
/// <see cref="AccessOutcome.NotFound"/> exactly as it answers a missing connection and
/// <see cref="AccessOutcome.Forbidden"/> with <see cref="ForbiddenProblem"/>.
/// </summary>
internal static class ConnectionAccessEndpoints
{
    /// <summary>The connection family's 404 (the real service's words for a connection it does not have).</summary>
    public static ApiProblem NotFoundProblem() =>
        new(StatusCodes.Status404NotFound, new ApiError("rpc error: code = NotFound desc = connection not found", ApiError.GenericTitle));

    public static ApiProblem ForbiddenProblem(Relation required, bool resolving) =>
        ApiProblem.Forbidden(resolving
            ? "Forbidden: this operation requires the relation resolver on this connection and the permission connections_resolve"
            : $"Forbidden: this operation requires the relation {required.ToWire()} on this connection");
}

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

internal static class AccessRegistration
{
    public static IHostApplicationBuilder AddAccess(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IAccessStore, SqlAccessStore>();
        builder.Services.AddSingleton<ConnectionAccess>();
        return builder;
    }
}
