using ActionConnections.Http;
using ActionConnections.Secrets;

namespace ActionConnections.Connections.Integrations;

/// <summary>
/// A credential of an integration. Each integration declares its own credential union (an
/// abstract record with <c>[JsonPolymorphic]</c>) deriving from this, and each credential type is
/// a sealed record there. Secret fields are <see cref="SecretString"/>: they serialise as
/// <c>""</c> and are stored encrypted, apart from the rest (see <see cref="Secrets"/>).
/// </summary>
internal abstract record Credentials
{
    /// <summary>The credential's discriminator, e.g. <c>AWSAssumeRole</c>.</summary>
    internal abstract string Type { get; }

    /// <summary>
    /// Every secret of this credential with its stable name within the connection (e.g.
    /// <c>api_key</c>, <c>tokens/MyToken</c>). A secret's name is its ciphertext's associated data.
    /// </summary>
    internal abstract IEnumerable<KeyValuePair<string, SecretString>> Secrets();

    /// <summary>
    /// Applies a partial update of the same credential type: given fields replace, absent
    /// fields (and secrets sent as <c>""</c>) are kept.
    /// </summary>
    internal abstract Credentials Apply(JsonObjectReader update);

    /// <summary>Fills in values the server generates (AWS <c>external_id</c> and <c>principal_id</c>).</summary>
    internal virtual Credentials Complete(ServerGeneratedValues values) => this;
}

/// <summary>Values the server adds to credentials.</summary>
internal sealed record ServerGeneratedValues(string AwsPrincipalId, Func<string> NewExternalId);

/// <summary>How to read one credential type from a request.</summary>
internal sealed record CredentialVariant(string Type, Func<JsonObjectReader, Credentials> Read);

/// <summary>How to read one integration from a request.</summary>
internal sealed record IntegrationVariant(
    string Type,
    IReadOnlyList<CredentialVariant> Credentials,
    Func<JsonObjectReader, Credentials, Integration> Create);
