namespace ActionConnections.Secrets;

/// <summary>
/// The one seam through which credential secrets are encrypted and decrypted. Every ciphertext
/// is bound to its place (<see cref="SecretContext"/>): a ciphertext copied to another
/// organisation, connection or field does not decrypt.
/// </summary>
internal interface ISecretProtector
{
    /// <summary>Id of the master key new ciphertexts are written under.</summary>
    string ActiveKeyId { get; }

    string Protect(string plaintext, SecretContext context);

    /// <exception cref="SecretDecryptionException">Tampered, misplaced or undecryptable ciphertext.</exception>
    string Unprotect(string ciphertext, SecretContext context);

    /// <summary>The key id a ciphertext names, or null when it is not one of ours.</summary>
    string? KeyIdOf(string ciphertext);
}

/// <summary>Where a secret lives; the associated data of its ciphertext.</summary>
internal readonly record struct SecretContext(Guid OrgId, Guid ConnectionId, string Field)
{
    public override string ToString() => $"ac-secret|{OrgId:D}|{ConnectionId:D}|{Field}";
}

internal class SecretDecryptionException(string message) : Exception(message);

/// <summary>
/// The ciphertext is under a master key this process does not have (not configured, and not in
/// the key file either): a configuration state to fix with a restart, not a damaged secret.
/// </summary>
internal sealed class MasterKeyUnavailableException(string keyId) : SecretDecryptionException($"Master key '{keyId}' is not configured.")
{
    public string KeyId { get; } = keyId;
}
