using System.Text.Json;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionConnections.Access;

/// <summary>
/// Datadog's Restriction Policies API for the one resource type this server has, connections
/// (<c>connection:{uuid}</c>). Errors are in that family's shape, <c>{"errors":["…"]}</c>; the
/// recorded ones word for word. GET needs <c>viewer</c>, POST and DELETE <c>editor</c>; an
/// organisation admin (<c>user_access_manage</c>) may always read and replace a policy, so no
/// connection becomes unmanageable. A connection the caller may not view is a 404, like one that
/// does not exist.
/// </summary>
internal static class RestrictionPolicyApi
{
    public const string ResourceType = "connection";

    /// <summary>Bound on the principals of one policy (over all its bindings).</summary>
    public const int MaxPrincipals = 500;

    /// <summary>The resource types of Datadog's spec: valid there, not served here.</summary>
    private static readonly HashSet<string> DatadogResourceTypes = new(StringComparer.Ordinal)
    {
        "dashboard", "integration-service", "integration-webhook", "notebook", "powerpack", "reference-table", "security-rule", "slo",
        "synthetics-global-variable", "synthetics-test", "synthetics-private-location", "monitor", "workflow", "app-builder-app",
        "connection-group", "rum-application", "cross-org-connection", "spreadsheet", "on-call-schedule", "on-call-escalation-policy",
        "on-call-team-routing-rules", "logs-pipeline", "case-management-project", "monitor-notification-rule",
    };

    public static IEndpointRouteBuilder MapRestrictionPolicies(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v2/restriction_policy");
        group.MapGet("/{resource_id}", GetAsync);
        group.MapPost("/{resource_id}", UpdateAsync).Audited(AuditActions.RestrictionPolicyUpdate, "restriction_policy", "resource_id");
        group.MapDelete("/{resource_id}", DeleteAsync).Audited(AuditActions.RestrictionPolicyDelete, "restriction_policy", "resource_id");
        return routes;
    }

    public static async Task<Results<JsonApiResult<RestrictionPolicyResponse>, ApiProblemResult>> GetAsync(
        string resource_id, Caller caller, ConnectionAccess access, IAccessStore store, CancellationToken ct)
    {
        var (id, invalidResource) = ParseResource(resource_id);
        if (invalidResource is not null)
        {
            return new ApiProblemResult(invalidResource);
        }

        var relation = await access.RelationOfAsync(caller, id, ct);
        var found = relation != Relation.None || caller.Has(Permission.UserAccessManage)
            ? await store.FindFactsAsync(caller.OrgId, id, caller.PrincipalId, ct)
            : null;
        return found is { } facts
            ? Ok(resource_id, facts.Facts.Bindings)
            : new ApiProblemResult(NotFound(resource_id));
    }

    public static async Task<Results<JsonApiResult<RestrictionPolicyResponse>, ApiProblemResult>> UpdateAsync(
        string resource_id, HttpRequest http, Caller caller, AuditedAction audit, AuditedWrites writes, ConnectionAccess access, IAccessStore store, CancellationToken ct)
    {
        var (id, invalidResource) = ParseResource(resource_id);
        if (invalidResource is not null)
        {
            return new ApiProblemResult(invalidResource);
        }

        if (!TryReadAllowSelfLockout(http.Query, out var allowSelfLockout))
        {
            return new ApiProblemResult(Invalid("invalid parameter \"allow_self_lockout\" in \"query\"; expected true or false"));
        }

        if (!(await JsonBody.ReadAsync(http, BodyWording.Fields, ct)).TryGetValue(out var document, out var problem))
        {
            return new ApiProblemResult(problem);
        }

        List<Binding> bindings;
        using (document)
        {
            var errors = new List<string>();
            bindings = ReadBindings(document.RootElement, caller, errors, out var users, out var roles);
            if (errors.Count == 0)
            {
                await CheckPrincipalsExistAsync(store, caller.OrgId, users, roles, errors, ct);
            }

            if (errors.Count > 0)
            {
                return new ApiProblemResult(new ApiProblem(StatusCodes.Status400BadRequest, [.. errors.Take(100).Select(e => new ApiError(e))]));
            }
        }

        if (await AuthorizeChangeAsync(caller, id, resource_id, access, store, ct) is { } denied)
        {
            return new ApiProblemResult(denied);
        }

        var current = await store.FindFactsAsync(caller.OrgId, id, caller.PrincipalId, ct);
        if (current is not { } facts)
        {
            return new ApiProblemResult(NotFound(resource_id));
        }

        var before = facts.Facts.RelationOf(caller.OrgId, caller.PrincipalId, facts.RoleId);
        var after = (facts.Facts with { Bindings = bindings }).RelationOf(caller.OrgId, caller.PrincipalId, facts.RoleId);
        if (before == Relation.Editor && after != Relation.Editor && !allowSelfLockout)
        {
            return new ApiProblemResult(Invalid(
                $"Invalid request: this policy would remove your own editor access to {resource_id}; send allow_self_lockout=true to apply it anyway"));
        }

        if (!await ReplaceAsync(writes, audit, caller.OrgId, id, bindings, StatusCodes.Status200OK, store, ct))
        {
            return new ApiProblemResult(NotFound(resource_id));
        }

        access.Invalidate();
        return Ok(resource_id, bindings);
    }

    public static async Task<Results<NoContent, ApiProblemResult>> DeleteAsync(
        string resource_id, Caller caller, AuditedAction audit, AuditedWrites writes, ConnectionAccess access, IAccessStore store, CancellationToken ct)
    {
        var (id, invalidResource) = ParseResource(resource_id);
        if (invalidResource is not null)
        {
            return new ApiProblemResult(invalidResource);
        }

        if (await AuthorizeChangeAsync(caller, id, resource_id, access, store, ct) is { } denied)
        {
            return new ApiProblemResult(denied);
        }

        if (!await ReplaceAsync(writes, audit, caller.OrgId, id, [], StatusCodes.Status204NoContent, store, ct))
        {
            return new ApiProblemResult(NotFound(resource_id));
        }

        access.Invalidate();
        return TypedResults.NoContent();
    }

    /// <summary>The bindings replaced and the event recording them, in one transaction; false when there is no such connection.</summary>
    private static Task<bool> ReplaceAsync(
        AuditedWrites writes, AuditedAction audit, Guid orgId, Guid id, List<Binding> bindings, int status, IAccessStore store, CancellationToken ct) =>
        writes.RunAsync(
            audit,
            tx => store.ReplaceBindingsAsync(tx, orgId, id, bindings, ct),
            replaced => replaced ? new AuditOutcome(status, Detail: DetailOf(bindings)) : null,
            ct);

    /// <summary><c>editor</c>, or an admin's <c>user_access_manage</c>; invisible is not found, visible without either is 403.</summary>
    private static async Task<ApiProblem?> AuthorizeChangeAsync(
        Caller caller, Guid id, string resourceId, ConnectionAccess access, IAccessStore store, CancellationToken ct)
    {
        var relation = await access.RelationOfAsync(caller, id, ct);
        if (relation == Relation.Editor)
        {
            return null;
        }

        if (caller.Has(Permission.UserAccessManage))
        {
            return await store.FindFactsAsync(caller.OrgId, id, caller.PrincipalId, ct) is null ? NotFound(resourceId) : null;
        }

        return relation == Relation.None
            ? NotFound(resourceId)
            : ApiProblem.Forbidden($"Forbidden: changing the restriction policy of {resourceId} requires the relation editor on it, or the permission user_access_manage");
    }

    /// <summary>
    /// The path's <c>type:id</c>. The recorded answers: a value without a type is "not in a valid
    /// format"; a type Datadog does not have "does not support restriction policies".
    /// </summary>
    private static (Guid Id, ApiProblem? Problem) ParseResource(string resourceId)
    {
        var colon = resourceId.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return (Guid.Empty, Invalid($"Invalid resource: '{resourceId}' is not in a valid format"));
        }

        var type = resourceId[..colon];
        if (type != ResourceType)
        {
            return (Guid.Empty, Invalid(DatadogResourceTypes.Contains(type)
                ? $"Invalid resource type: '{type}' is not supported by this server; restriction policies apply to '{ResourceType}' only"
                : $"Invalid resource type: '{type}' does not support restriction policies"));
        }

        return RouteIds.TryParseUuid(resourceId[(colon + 1)..], out var id)
            ? (id, null)
            : (Guid.Empty, Invalid($"Invalid resource: '{resourceId}' is not in a valid format"));
    }

    private static bool TryReadAllowSelfLockout(IQueryCollection query, out bool allow)
    {
        allow = false;
        if (!query.TryGetValue("allow_self_lockout", out var values))
        {
            return true;
        }

        return values.Count == 1 && bool.TryParse(values[0], out allow);
    }

    /// <summary>
    /// Reads <c>data.attributes.bindings</c>, reporting every problem with its JSON pointer. Bindings
    /// of one relation are merged and repeated principals dropped, so the stored policy is the
    /// same whichever way it was written.
    /// </summary>
    private static List<Binding> ReadBindings(JsonElement root, Caller caller, List<string> errors, out HashSet<Guid> users, out HashSet<Guid> roles)
    {
        users = [];
        roles = [];
        var result = new List<Binding>();
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            errors.Add("Invalid request: /data: required object is missing");
            return result;
        }

        if (!data.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "restriction_policy")
        {
            errors.Add("Invalid request: /data/type: must be \"restriction_policy\"");
        }

        if (data.TryGetProperty("id", out var bodyId) && bodyId.ValueKind != JsonValueKind.String)
        {
            errors.Add("Invalid request: /data/id: must be a string");
        }

        if (!data.TryGetProperty("attributes", out var attributes) || attributes.ValueKind != JsonValueKind.Object
            || !attributes.TryGetProperty("bindings", out var bindings) || bindings.ValueKind != JsonValueKind.Array)
        {
            errors.Add("Invalid request: /data/attributes/bindings: required array is missing");
            return result;
        }

        var byRelation = new Dictionary<Relation, List<PrincipalRef>>();
        var order = new List<Relation>();
        var count = 0;
        var index = 0;
        foreach (var binding in bindings.EnumerateArray())
        {
            var pointer = $"/data/attributes/bindings/{index++}";
            if (binding.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"Invalid request: {pointer}: must be an object with relation and principals");
                continue;
            }

            var relationText = binding.TryGetProperty("relation", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            var hasRelation = Relations.TryParse(relationText, out var relation);
            if (!hasRelation)
            {
                errors.Add(relationText is null
                    ? $"Invalid request: {pointer}/relation: required string is missing"
                    : $"Invalid request: {pointer}/relation: [RelationInvalidForResourceType] relation \"{relationText}\" is not supported by \"{ResourceType}\", supported relations: \"editor, resolver, viewer\"");
            }

            if (!binding.TryGetProperty("principals", out var principals) || principals.ValueKind != JsonValueKind.Array)
            {
                errors.Add($"Invalid request: {pointer}/principals: required array is missing");
                continue;
            }

            var at = 0;
            foreach (var principal in principals.EnumerateArray())
            {
                var principalPointer = $"{pointer}/principals/{at++}";
                if (++count > MaxPrincipals)
                {
                    errors.Add($"Invalid request: {principalPointer}: a policy may name at most {MaxPrincipals} principals");
                    return result;
                }

                if (ReadPrincipal(principal, principalPointer, relationText ?? "?", caller, errors) is not { } parsed || !hasRelation)
                {
                    continue;
                }

                if (!byRelation.TryGetValue(relation, out var list))
                {
                    byRelation[relation] = list = [];
                    order.Add(relation);
                }

                if (!list.Contains(parsed))
                {
                    list.Add(parsed);
                }

                if (parsed.Type == PrincipalType.User)
                {
                    users.Add(parsed.Id);
                }
                else if (parsed.Type == PrincipalType.Role)
                {
                    roles.Add(parsed.Id);
                }
            }
        }

        foreach (var relation in order)
        {
            result.AddRange(byRelation[relation].Select(p => new Binding(relation, p)));
        }

        return result;
    }

    private static PrincipalRef? ReadPrincipal(JsonElement principal, string pointer, string relation, Caller caller, List<string> errors)
    {
        if (principal.ValueKind != JsonValueKind.String)
        {
            errors.Add($"Invalid request: {pointer}: a principal must be a string \"type:id\"");
            return null;
        }

        var text = principal.GetString()!;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var typeText = colon < 0 ? text : text[..colon];
        if (typeText == "team")
        {
            errors.Add($"Invalid request: {pointer}: principal \"{text}\": team principals are not supported yet; bind users, roles or the organisation");
            return null;
        }

        PrincipalType type;
        switch (typeText)
        {
            case "user":
                type = PrincipalType.User;
                break;
            case "role":
                type = PrincipalType.Role;
                break;
            case "org":
                type = PrincipalType.Org;
                break;
            default:
                // The real service's words (Terraform's recording), less the team type it has and we do not.
                errors.Add($"Invalid request: {pointer}: [PrincipalTypeInvalidForRelation] principal \"{text}\" is not supported by \"{relation}\" relation, supported types: \"org, role, user\"");
                return null;
        }

        if (colon < 0 || !RouteIds.TryParseUuid(text[(colon + 1)..], out var id))
        {
            errors.Add($"Invalid request: {pointer}: principal \"{text}\" is not in a valid format, expected {typeText}:<uuid>");
            return null;
        }

        if (type == PrincipalType.Org && id != caller.OrgId)
        {
            errors.Add($"Invalid request: {pointer}: principal \"{text}\" is not your organisation");
            return null;
        }

        return new PrincipalRef(type, id);
    }

    private static async Task CheckPrincipalsExistAsync(IAccessStore store, Guid orgId, HashSet<Guid> users, HashSet<Guid> roles, List<string> errors, CancellationToken ct)
    {
        var knownUsers = await store.ExistingPrincipalsAsync(orgId, users, ct);
        var knownRoles = await store.ExistingRolesAsync(orgId, roles, ct);
        foreach (var user in users.Where(u => !knownUsers.Contains(u)))
        {
            errors.Add($"Invalid request: principal \"user:{user:D}\" is not a user or service account of your organisation");
        }

        foreach (var role in roles.Where(r => !knownRoles.Contains(r)))
        {
            errors.Add($"Invalid request: principal \"role:{role:D}\" is not a role of your organisation");
        }
    }

    /// <summary>The bindings as the wire shows them (they hold no secret), for the audit event of a change.</summary>
    private static string DetailOf(IReadOnlyList<Binding> bindings) =>
        JsonSerializer.Serialize(new RestrictionPolicyAttributes(Group(bindings)), AppJson.Context.RestrictionPolicyAttributes);

    private static List<RestrictionPolicyBinding> Group(IReadOnlyList<Binding> bindings) =>
        [.. bindings.GroupBy(b => b.Relation).Select(g => new RestrictionPolicyBinding(g.Key.ToWire(), [.. g.Select(b => b.Principal.ToString())]))];

    private static JsonApiResult<RestrictionPolicyResponse> Ok(string resourceId, IReadOnlyList<Binding> bindings)
    {
        var body = new RestrictionPolicyResponse(new RestrictionPolicyData("restriction_policy", resourceId, new RestrictionPolicyAttributes(Group(bindings))));
        return new JsonApiResult<RestrictionPolicyResponse>(body, AppJson.Context.RestrictionPolicyResponse, StatusCodes.Status200OK, "application/json");
    }

    private static ApiProblem Invalid(string detail) => new(StatusCodes.Status400BadRequest, new ApiError(detail));

    private static ApiProblem NotFound(string resourceId) =>
        new(StatusCodes.Status404NotFound, new ApiError($"Resource not found: '{resourceId}' does not exist"));
}
