using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActionConnections.Secrets;

/// <summary>
/// A credential secret. Its plaintext is reachable only through <see cref="Reveal"/>; it prints
/// as <c>[redacted]</c> and it always serialises as <c>""</c>, which is exactly what the real
/// service returns for every secret field. So no response, log line or stored public JSON can
/// carry a secret, whatever code path produced it.
/// </summary>
[JsonConverter(typeof(SecretStringJsonConverter))]
internal sealed class SecretString : IEquatable<SecretString>
{
    private readonly string? _plaintext;

    private SecretString(string? plaintext) => _plaintext = plaintext;

    /// <summary>A secret held in the vault (read back from storage): present, but its value is not here.</summary>
    public static SecretString Stored { get; } = new(null);

    /// <summary>True when this instance carries a new plaintext (from a request), not a stored reference.</summary>
    public bool HasValue => _plaintext is not null;

    public static SecretString FromPlaintext(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        return new SecretString(plaintext);
    }

    /// <summary>The plaintext, for the encryption seam only.</summary>
    public string Reveal() => _plaintext ?? throw new InvalidOperationException("A stored secret has no plaintext here.");

    public override string ToString() => "[redacted]";

    public bool Equals(SecretString? other) => other is not null && string.Equals(_plaintext, other._plaintext, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as SecretString);

    public override int GetHashCode() => _plaintext is null ? 0 : StringComparer.Ordinal.GetHashCode(_plaintext);
}

/// <summary>Reads any string as a stored secret reference; writes every secret as <c>""</c>.</summary>
internal sealed class SecretStringJsonConverter : JsonConverter<SecretString>
{
    public override SecretString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("A secret must be a string.");
        }

        return SecretString.Stored;
    }

    public override void Write(Utf8JsonWriter writer, SecretString value, JsonSerializerOptions options) =>
        writer.WriteStringValue(string.Empty);
}
