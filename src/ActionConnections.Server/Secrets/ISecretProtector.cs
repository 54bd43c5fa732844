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

internal sealed class SecretDecryptionException(string message) : Exception(message);
