using System.Text.Json.Serialization;

namespace ActionConnections.Cloud;

/// <summary>
/// The answer of the credentials extension: AWS session credentials (type <c>aws_credentials</c>)
/// or an OAuth 2.0 access token (<c>oauth2_access_token</c>). One record for both types, members of the other type left out (null): the plaintext values are
/// copied here only as the response is written, and never kept in this shape.
/// </summary>
internal sealed record CloudCredentialsAttributes
{
    [JsonPropertyName("access_key_id")]
    public string? AccessKeyId { get; init; }

    [JsonPropertyName("secret_access_key")]
    public string? SecretAccessKey { get; init; }

    [JsonPropertyName("session_token")]
    public string? SessionToken { get; init; }

    [JsonPropertyName("assumed_role_arn")]
    public string? AssumedRoleArn { get; init; }

    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("token_type")]
    public string? TokenType { get; init; }

    /// <summary>RFC 3339, UTC, whole seconds.</summary>
    [JsonPropertyName("expiration")]
    public required string Expiration { get; init; }

    [JsonPropertyName("scopes")]
    public IReadOnlyList<string>? Scopes { get; init; }
}
