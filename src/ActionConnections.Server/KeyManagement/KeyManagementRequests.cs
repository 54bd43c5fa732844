using System.Text.Json;
using ActionConnections.Auth;
using ActionConnections.Http;

namespace ActionConnections.KeyManagement;

/// <summary><c>APIKeyCreateAttributes</c>, read and checked.</summary>
internal sealed record ApiKeyCreate(string Name, string? Category, bool? RemoteConfigReadEnabled);

/// <summary><c>APIKeyUpdateAttributes</c> (<c>name</c> is required here too).</summary>
internal sealed record ApiKeyUpdate(string Name, string? Category, bool? RemoteConfigReadEnabled);

/// <summary><c>ApplicationKeyCreateAttributes</c>; <c>Scopes</c> null means unscoped.</summary>
internal sealed record AppKeyCreate(string Name, IReadOnlyList<string>? Scopes);

/// <summary>
/// <c>ApplicationKeyUpdateAttributes</c>: both members optional. <c>SetScopes</c> says whether
/// <c>scopes</c> was sent at all; sent as <c>null</c> it makes the key unscoped.
/// </summary>
internal sealed record AppKeyUpdate(string? Name, bool SetScopes, IReadOnlyList<string>? Scopes);

/// <summary>
/// Reads the JSON:API request bodies of the key management operations. Every problem in a body
/// is reported at once, each as one string of <c>{"errors":[…]}</c>. Unknown members are ignored;
/// JSON <c>null</c> counts as absent, except for <c>scopes</c>, where it means "unscoped".
/// </summary>
internal static class KeyManagementRequests
{
    public const int MaxNameLength = 256;
    public const int MaxCategoryLength = 256;
    public const int MaxScopes = 200;
    public const int MaxScopeLength = 100;

    public static Task<Validated<ApiKeyCreate>> ReadApiKeyCreateAsync(HttpRequest request, CancellationToken ct) =>
        ReadAsync(request, KeyTypes.ApiKeys, pathId: null, attributes => new ApiKeyCreate(
            RequiredName(attributes),
            attributes.OptionalNonBlankString("category", MaxCategoryLength),
            attributes.OptionalBool("remote_config_read_enabled")), ct);

    public static Task<Validated<ApiKeyUpdate>> ReadApiKeyUpdateAsync(HttpRequest request, Guid pathId, CancellationToken ct) =>
        ReadAsync(request, KeyTypes.ApiKeys, pathId, attributes => new ApiKeyUpdate(
            RequiredName(attributes),
            attributes.OptionalNonBlankString("category", MaxCategoryLength),
            attributes.OptionalBool("remote_config_read_enabled")), ct);

    public static Task<Validated<AppKeyCreate>> ReadAppKeyCreateAsync(HttpRequest request, CancellationToken ct) =>
        ReadAsync(request, KeyTypes.ApplicationKeys, pathId: null, attributes =>
        {
            var name = RequiredName(attributes);
            TryReadScopes(attributes, out var scopes);
            return new AppKeyCreate(name, scopes);
        }, ct);

    public static Task<Validated<AppKeyUpdate>> ReadAppKeyUpdateAsync(HttpRequest request, Guid pathId, CancellationToken ct) =>
        ReadAsync(request, KeyTypes.ApplicationKeys, pathId, attributes =>
        {
            var name = attributes.OptionalNonBlankString("name", MaxNameLength);
            var setScopes = TryReadScopes(attributes, out var scopes);
            return new AppKeyUpdate(name, setScopes, scopes);
        }, ct);

    /// <summary>The one request reader (<see cref="JsonBody"/>), worded as key management words its errors.</summary>
    private static Task<Validated<T>> ReadAsync<T>(
        HttpRequest request, string type, Guid? pathId, Func<JsonObjectReader, T> readAttributes, CancellationToken ct)
        where T : class =>
        JsonBody.ReadAsync(request, BodyWording.Paths, (root, errors) => ReadEnvelope(root, errors, type, pathId, readAttributes), ct);

    private static T? ReadEnvelope<T>(JsonElement root, ValidationErrors errors, string type, Guid? pathId, Func<JsonObjectReader, T> readAttributes)
        where T : class
    {
        if (JsonObjectReader.Open(root, string.Empty, errors) is not { } body || body.RequiredObject("data") is not { } data)
        {
            return null;
        }

        if (!data.TryGetMember("type", out var typeValue))
        {
            data.Fail("type", "data.type is required");
        }
        else if (typeValue.ValueKind != JsonValueKind.String || typeValue.GetString() != type)
        {
            data.Fail("type", $"data.type must be \"{type}\"");
        }

        if (pathId is { } id)
        {
            if (!data.TryGetMember("id", out var idValue))
            {
                data.Fail("id", "data.id is required");
            }
            else if (idValue.ValueKind != JsonValueKind.String || !Guid.TryParse(idValue.GetString(), out var bodyId) || bodyId != id)
            {
                data.Fail("id", "data.id must match the id in the path");
            }
        }

        return data.RequiredObject("attributes") is { } attributes ? readAttributes(attributes) : null;
    }

    private static string RequiredName(JsonObjectReader attributes)
    {
        if (!attributes.Has("name"))
        {
            attributes.Fail("name", "data.attributes.name is required");
            return string.Empty;
        }

        return attributes.OptionalNonBlankString("name", MaxNameLength) ?? string.Empty;
    }

    /// <summary>
    /// False when <c>scopes</c> is absent. Present, it must be null (unscoped) or a non-empty
    /// array of known permission names: an empty list would make a key that can do nothing.
    /// </summary>
    private static bool TryReadScopes(JsonObjectReader attributes, out IReadOnlyList<string>? scopes)
    {
        scopes = null;
        if (!attributes.TryGetRaw("scopes", out var value))
        {
            return false;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String))
        {
            attributes.Fail("scopes", "data.attributes.scopes must be an array of strings or null");
            return true;
        }

        var items = value.EnumerateArray().Select(item => item.GetString()!).ToList();
        if (items.Count == 0)
        {
            attributes.Fail("scopes", "data.attributes.scopes must not be empty; send null for an unscoped key");
        }
        else if (items.Count > MaxScopes)
        {
            attributes.Fail("scopes", $"data.attributes.scopes must have at most {MaxScopes} items");
        }
        else if (items.Any(item => item.Length > MaxScopeLength))
        {
            attributes.Fail("scopes", $"data.attributes.scopes items must be at most {MaxScopeLength} characters");
        }
        else if (Permissions.UnknownScopes(items) is { Count: > 0 } unknown)
        {
            attributes.Fail("scopes", $"Invalid scopes: {string.Join(", ", unknown.Distinct(StringComparer.Ordinal))}");
        }
        else
        {
            scopes = items;
        }

        return true;
    }
}
