using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ActionConnections.Secrets;

/// <summary>
/// AES-256-GCM with a fresh 96-bit nonce per secret. Ciphertext text format:
/// <c>v1.{keyId}.{base64url(nonce ‖ ciphertext ‖ tag)}</c> — versioned and naming its key, so
/// keys can be rotated and old data found. The associated data is <see cref="SecretContext"/>
/// together with the version and key id.
/// </summary>
internal sealed class AesGcmSecretProtector : ISecretProtector
{
    private const string Version = "v1";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly MasterKeyRing _keys;

    public AesGcmSecretProtector(MasterKeyRing keys) => _keys = keys;

    public string ActiveKeyId => _keys.Active.Id;

    public string Protect(string plaintext, SecretContext context)
    {
        var key = _keys.Active;
        var plainBytes = Encoding.UTF8.GetBytes(plaintext);
        var payload = new byte[NonceSize + plainBytes.Length + TagSize];
        var nonce = payload.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(key.Material, TagSize))
        {
            aes.Encrypt(nonce, plainBytes, payload.AsSpan(NonceSize, plainBytes.Length), payload.AsSpan(NonceSize + plainBytes.Length), AssociatedData(key.Id, context));
        }

        CryptographicOperations.ZeroMemory(plainBytes);
        return $"{Version}.{key.Id}.{Base64Url.EncodeToString(payload)}";
    }

    public string Unprotect(string ciphertext, SecretContext context)
    {
        var parts = ciphertext.Split('.');
        if (parts.Length != 3 || parts[0] != Version)
        {
            throw new SecretDecryptionException("Unknown ciphertext format.");
        }

        var key = _keys.Find(parts[1]) ?? throw new MasterKeyUnavailableException(parts[1]);
        byte[] payload;
        try
        {
            payload = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            throw new SecretDecryptionException("Malformed ciphertext.");
        }

        if (payload.Length < NonceSize + TagSize)
        {
            throw new SecretDecryptionException("Malformed ciphertext.");
        }

        var length = payload.Length - NonceSize - TagSize;
        var plain = new byte[length];
        try
        {
            using var aes = new AesGcm(key.Material, TagSize);
            aes.Decrypt(payload.AsSpan(0, NonceSize), payload.AsSpan(NonceSize, length), payload.AsSpan(NonceSize + length), plain, AssociatedData(key.Id, context));
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SecretDecryptionException("Ciphertext does not authenticate for this place.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public string? KeyIdOf(string ciphertext)
    {
        var parts = ciphertext.Split('.');
        return parts.Length == 3 && parts[0] == Version ? parts[1] : null;
    }

    private static byte[] AssociatedData(string keyId, SecretContext context) =>
        Encoding.UTF8.GetBytes($"{Version}|{keyId}|{context}");
}
