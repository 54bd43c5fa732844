using System.Text.Json;
using ActionConnections.Http;

namespace ActionConnections.Cloud;

/// <summary>
/// Reads the optional body <c>{"data":{"type":"credentials_request","attributes":{"duration_seconds","scopes"}}}</c>
/// with every problem reported at once, each with its JSON pointer.
/// </summary>
internal static class CredentialsRequests
{
    public const string DataType = "credentials_request";

    public const int MaxScopes = 20;
    public const int MaxScopeLength = 512;

    public static MintRequest Default { get; } = new(MintRequest.DefaultDurationSeconds, null);

    public static MintRequest? Read(JsonElement root, ValidationErrors errors)
    {
        if (JsonObjectReader.OpenData(root, DataType, errors) is not { } data)
        {
            return null;
        }

        var attributes = data.OptionalObject("attributes");
        var duration = attributes?.OptionalInteger("duration_seconds", MintRequest.MinDurationSeconds, MintRequest.MaxDurationSeconds);
        var scopes = attributes?.OptionalStringList("scopes", MaxScopeLength);
        if (attributes is { } reader && scopes is not null)
        {
            if (scopes.Count > MaxScopes)
            {
                reader.Fail("scopes", $"scopes must have at most {MaxScopes} items");
            }

            for (var i = 0; i < scopes.Count; i++)
            {
                // A scope is one token of OAuth 2.0's space-separated list (RFC 6749 §3.3).
                if (scopes[i].Length == 0 || scopes[i].Any(c => c <= ' ' || c == '"' || c == '\\' || c > '~'))
                {
                    errors.Add($"{reader.PointerTo("scopes")}/{i}", "a scope must be non-empty printable ASCII without spaces, quotes or backslashes");
                }
            }
        }

        return errors.Any ? null : new MintRequest(duration ?? MintRequest.DefaultDurationSeconds, scopes is { Count: > 0 } ? [.. scopes.Distinct(StringComparer.Ordinal)] : null);
    }
}
