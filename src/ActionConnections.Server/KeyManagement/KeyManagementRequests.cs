using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using ActionConnections.Auth;
using ActionConnections.Errors;
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

/// <summary>Something read and checked (a request body, a resource named by the path): the value, or the error to answer instead.</summary>
internal sealed class Validated<T>
    where T : class
{
    private readonly T? _value;
    private readonly ApiProblem? _problem;

    private Validated(T? value, ApiProblem? problem)
    {
        _value = value;
        _problem = problem;
    }

    public static Validated<T> Valid(T value) => new(value, null);

    public static Validated<T> Invalid(ApiProblem problem) => new(null, problem);

    public bool TryGetValue([NotNullWhen(true)] out T? value, [NotNullWhen(false)] out ApiProblem? problem)
    {
        value = _value;
        problem = _problem;
        return value is not null;
    }
}

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

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 64,
        AllowDuplicateProperties = false,
    };

    public static Task<Validated<ApiKeyCreate>> ReadApiKeyCreateAsync(HttpRequest request, CancellationToken ct) =>
        ReadAsync(request, KeyTypes.ApiKeys, pathId: null, attributes => new ApiKeyCreate(
            attributes.RequiredName(),
            attributes.OptionalString("category", MaxCategoryLength),
            attributes.OptionalBool("remote_config_read_enabled")), ct);

    public static Task<Validated<ApiKeyUpdate>> ReadApiKeyUpdateAsync(HttpRequest request, Guid pathId, CancellationToken ct) =>
        ReadAsync(request, KeyTypes.ApiKeys, pathId, attributes => new ApiKeyUpdate(
            attributes.RequiredName(),
            attributes.OptionalString("category", MaxCategoryLength),
            attributes.OptionalBool("remote_config_read_enabled")), ct);

    public static Task<Validated<AppKeyCreate>> ReadAppKeyCreateAsync(HttpRequest request, CancellationToken ct) =>
        ReadAsync(request, KeyTypes.ApplicationKeys, pathId: null, attributes =>
        {
            var name = attributes.RequiredName();
            attributes.TryReadScopes(out var scopes);
            return new AppKeyCreate(name, scopes);
        }, ct);

    public static Task<Validated<AppKeyUpdate>> ReadAppKeyUpdateAsync(HttpRequest request, Guid pathId, CancellationToken ct) =>
        ReadAsync(request, KeyTypes.ApplicationKeys, pathId, attributes =>
        {
            var name = attributes.OptionalName();
            var setScopes = attributes.TryReadScopes(out var scopes);
            return new AppKeyUpdate(name, setScopes, scopes);
        }, ct);

    private static async Task<Validated<T>> ReadAsync<T>(
        HttpRequest request, string type, Guid? pathId, Func<AttributesReader, T> readAttributes, CancellationToken ct)
        where T : class
    {
        // The same test as the connection operations: ASP.NET's HasJsonContentType() also takes
        // malformed types such as "application/ json".
        if (!JsonBody.IsJson(request.ContentType))
        {
            return Validated<T>.Invalid(ErrorWriter.ForStatus(StatusCodes.Status415UnsupportedMediaType));
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, DocumentOptions, ct);
        }
        catch (JsonException)
        {
            return Validated<T>.Invalid(Invalid(["Malformed JSON body"]));
        }
        catch (InvalidOperationException)
        {
            // Thrown by the duplicate-name check when a member name is an invalid escape.
            return Validated<T>.Invalid(Invalid([JsonBody.InvalidUnicode.Errors[0].Detail]));
        }

        using (document)
        {
            if (JsonBody.HasInvalidUnicode(document.RootElement))
            {
                return Validated<T>.Invalid(Invalid([JsonBody.InvalidUnicode.Errors[0].Detail]));
            }

            var errors = new List<string>();
            var value = ReadEnvelope(document.RootElement, type, pathId, readAttributes, errors);
            return errors.Count == 0 && value is not null ? Validated<T>.Valid(value) : Validated<T>.Invalid(Invalid(errors));
        }
    }

    private static T? ReadEnvelope<T>(JsonElement root, string type, Guid? pathId, Func<AttributesReader, T> readAttributes, List<string> errors)
        where T : class
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("The request body must be a JSON object");
            return null;
        }

        if (!root.TryGetProperty("data", out var data) || data.ValueKind == JsonValueKind.Null)
        {
            errors.Add("data is required");
            return null;
        }

        if (data.ValueKind != JsonValueKind.Object)
        {
            errors.Add("data must be an object");
            return null;
        }

        if (!data.TryGetProperty("type", out var typeValue) || typeValue.ValueKind == JsonValueKind.Null)
        {
            errors.Add("data.type is required");
        }
        else if (typeValue.ValueKind != JsonValueKind.String || typeValue.GetString() != type)
        {
            errors.Add($"data.type must be \"{type}\"");
        }

        if (pathId is { } id)
        {
            if (!data.TryGetProperty("id", out var idValue) || idValue.ValueKind == JsonValueKind.Null)
            {
                errors.Add("data.id is required");
            }
            else if (idValue.ValueKind != JsonValueKind.String || !Guid.TryParse(idValue.GetString(), out var bodyId) || bodyId != id)
            {
                errors.Add("data.id must match the id in the path");
            }
        }

        if (!data.TryGetProperty("attributes", out var attributes) || attributes.ValueKind == JsonValueKind.Null)
        {
            errors.Add("data.attributes is required");
            return null;
        }

        if (attributes.ValueKind != JsonValueKind.Object)
        {
            errors.Add("data.attributes must be an object");
            return null;
        }

        return readAttributes(new AttributesReader(attributes, errors));
    }

    private static ApiProblem Invalid(IEnumerable<string> errors) =>
        ApiProblem.Validation([.. errors.Select(e => new ApiError(e, "Bad Request", "400"))]);

    /// <summary>Reads the members of <c>data.attributes</c>, adding one error per problem.</summary>
    private sealed class AttributesReader(JsonElement attributes, List<string> errors)
    {
        public string RequiredName() => ReadName(required: true) ?? string.Empty;

        public string? OptionalName() => ReadName(required: false);

        public string? OptionalString(string name, int maxLength)
        {
            if (!TryGet(name, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                errors.Add($"data.attributes.{name} must be a string");
                return null;
            }

            var text = value.GetString()!;
            if (string.IsNullOrWhiteSpace(text))
            {
                errors.Add($"data.attributes.{name} must not be empty");
                return null;
            }

            if (text.Length > maxLength)
            {
                errors.Add($"data.attributes.{name} must be at most {maxLength} characters");
                return null;
            }

            return text;
        }

        public bool? OptionalBool(string name)
        {
            if (!TryGet(name, out var value))
            {
                return null;
            }

            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add($"data.attributes.{name} must be a boolean");
                return null;
            }

            return value.GetBoolean();
        }

        /// <summary>
        /// False when <c>scopes</c> is absent. Present, it must be null (unscoped) or a non-empty
        /// array of known permission names: an empty list would make a key that can do nothing.
        /// </summary>
        public bool TryReadScopes(out IReadOnlyList<string>? scopes)
        {
            scopes = null;
            if (!attributes.TryGetProperty("scopes", out var value))
            {
                return false;
            }

            if (value.ValueKind == JsonValueKind.Null)
            {
                return true;
            }

            if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String))
            {
                errors.Add("data.attributes.scopes must be an array of strings or null");
                return true;
            }

            var items = value.EnumerateArray().Select(item => item.GetString()!).ToList();
            if (items.Count == 0)
            {
                errors.Add("data.attributes.scopes must not be empty; send null for an unscoped key");
            }
            else if (items.Count > MaxScopes)
            {
                errors.Add($"data.attributes.scopes must have at most {MaxScopes} items");
            }
            else if (items.Any(item => item.Length > MaxScopeLength))
            {
                errors.Add($"data.attributes.scopes items must be at most {MaxScopeLength} characters");
            }
            else if (Permissions.UnknownScopes(items) is { Count: > 0 } unknown)
            {
                errors.Add($"Invalid scopes: {string.Join(", ", unknown.Distinct(StringComparer.Ordinal))}");
            }
            else
            {
                scopes = items;
            }

            return true;
        }

        private string? ReadName(bool required)
        {
            if (!TryGet("name", out _))
            {
                if (required)
                {
                    errors.Add("data.attributes.name is required");
                }

                return null;
            }

            var name = OptionalString("name", MaxNameLength);
            if (name is not null && name.Contains('\0', StringComparison.Ordinal))
            {
                // PostgreSQL text cannot hold U+0000; refused on every provider so they answer alike.
                errors.Add("data.attributes.name must not contain the character U+0000");
                return null;
            }

            return name;
        }

        private bool TryGet(string name, out JsonElement value) =>
            attributes.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
    }
}
