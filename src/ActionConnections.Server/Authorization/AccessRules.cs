using ActionConnections.Auth;
using ActionConnections.Errors;
using ActionConnections.Identity;

namespace ActionConnections.Authorization;

/// <summary>
/// A rule the caller of an endpoint must meet, declared as endpoint metadata where the route is
/// mapped (<see cref="AccessRules.RequirePermission{TBuilder}"/>,
/// <see cref="AccessRules.RequireRegisteredAppKey{TBuilder}"/>), the way ASP.NET Core declares
/// its own authorization. The API gateway evaluates them (<see cref="AccessRules.Authorize"/>)
/// before the handler runs, so handlers never check a permission themselves.
/// </summary>
internal interface IAccessRule
{
    /// <summary>Evaluated in ascending order; the first rule that refuses gives the answer.</summary>
    int Order { get; }

    /// <summary>Null when <paramref name="caller"/> meets the rule; else the answer to give instead.</summary>
    ApiProblem? Check(Caller caller);
}

/// <summary>Connections may only be used through a registered application key (docs/reference/BEHAVIOR.md §1); checked before permissions.</summary>
internal sealed class RegisteredAppKeyRule : IAccessRule
{
    public static readonly RegisteredAppKeyRule Instance = new();

    private RegisteredAppKeyRule()
    {
    }

    public int Order => 0;

    public ApiProblem? Check(Caller caller) =>
        caller.AppKeyRegistered
            ? null
            : ApiProblem.Forbidden(
                $"This API requires a registered application key. Register it with PUT /api/v2/actions/app_key_registrations/{caller.AppKeyId:D} and retry.");
}

/// <summary>The spec's <c>x-permission</c> of an operation: the caller must hold at least one of <see cref="AnyOf"/> (operator OR).</summary>
internal sealed class PermissionRule(Permission anyOf) : IAccessRule
{
    public Permission AnyOf { get; } = anyOf;

    public int Order => 1;

    public ApiProblem? Check(Caller caller) => caller.HasAny(AnyOf) ? null : Forbidden(AnyOf);

    /// <summary>The 403 naming the permissions that would have allowed the call.</summary>
    public static ApiProblem Forbidden(Permission anyOf)
    {
        var names = Permissions.ByName.Where(p => anyOf.HasFlag(p.Value) && p.Key != "connections_write").Select(p => p.Key);
        return ApiProblem.Forbidden($"Forbidden: this operation requires one of the permissions {string.Join(", ", names)}");
    }
}

/// <summary>An operation this deployment has turned off: every call gets <see cref="Answer"/>, before any other rule.</summary>
internal sealed class DisabledOperationRule(ApiProblem answer) : IAccessRule
{
    public ApiProblem Answer { get; } = answer;

    public int Order => -1;

    public ApiProblem? Check(Caller caller) => Answer;
}

/// <summary>Marks an endpoint none of whose answers may be kept by a cache, refusals included.</summary>
internal sealed class NotStoredAnswers
{
    public static readonly NotStoredAnswers Instance = new();

    private NotStoredAnswers()
    {
    }
}

internal static class AccessRules
{
    /// <summary>Unless <paramref name="enabled"/>, every call is refused with <paramref name="whenDisabled"/>, before any other rule.</summary>
    public static TBuilder RequireEnabled<TBuilder>(this TBuilder builder, bool enabled, ApiProblem whenDisabled)
        where TBuilder : IEndpointConventionBuilder =>
        enabled ? builder : builder.WithMetadata(new DisabledOperationRule(whenDisabled));

    /// <summary>Every answer of the endpoint says <c>Cache-Control: no-store</c>, a refusal by its rules too.</summary>
    public static TBuilder AnswersNotStored<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(NotStoredAnswers.Instance).AddEndpointFilter(static (invocation, next) =>
        {
            invocation.HttpContext.Response.Headers.CacheControl = "no-store";
            return next(invocation);
        });

    /// <summary>The caller must hold at least one of <paramref name="anyOf"/>.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission anyOf)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PermissionRule(anyOf));

    /// <summary>The caller's application key must be registered (app key registrations).</summary>
    public static TBuilder RequireRegisteredAppKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(RegisteredAppKeyRule.Instance);

    /// <summary>
    /// The one evaluation of an endpoint's declared rules: null when <paramref name="caller"/>
    /// meets them all, else the answer of the first that refuses. The gateway uses the same
    /// answer to decide whether the request spends the organisation's rate budget.
    /// </summary>
    public static ApiProblem? Authorize(this Endpoint? endpoint, Caller caller)
    {
        if (endpoint is null)
        {
            return null;
        }

        // Indexed, not LINQ: this runs on every request, the read path included.
        var rules = endpoint.Metadata.GetOrderedMetadata<IAccessRule>();
        ApiProblem? answer = null;
        var answerOrder = int.MaxValue;
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (rule.Order < answerOrder && rule.Check(caller) is { } refused)
            {
                answer = refused;
                answerOrder = rule.Order;
            }
        }

        return answer;
    }
}
