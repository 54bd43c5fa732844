using ActionConnections.Http;

namespace ActionConnections.Secrets;

/// <summary>
/// Reading secrets out of a request body. Here rather than on <see cref="JsonObjectReader"/>:
/// the kernel's reader knows strings, this feature knows which strings are secrets.
/// </summary>
internal static class SecretReading
{
    public static SecretString RequiredSecret(this JsonObjectReader reader, string name) =>
        SecretString.FromPlaintext(reader.RequiredString(name));

    /// <summary>
    /// An optional secret. <c>""</c> counts as absent: the API returns every secret as <c>""</c>, so
    /// a client that sends back what it read must not wipe the stored secret.
    /// </summary>
    public static SecretString? OptionalSecret(this JsonObjectReader reader, string name) =>
        reader.OptionalString(name) is { Length: > 0 } value ? SecretString.FromPlaintext(value) : null;
}
