using System.Security.Cryptography;
using System.Text;

namespace ActionConnections.Auth;

/// <summary>
/// Generates and hashes API keys (32 lowercase hex) and application keys (40 lowercase hex).
/// Keys are 128 and 160 random bits, so a plain SHA-256 is a sufficient one-way function (there
/// is nothing to brute-force); only the hash is stored (ADR 0003).
/// </summary>
internal static class KeyMaterial
{
    public const int ApiKeyLength = 32;
    public const int AppKeyLength = 40;

    public static string NewApiKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(ApiKeyLength / 2));

    public static string NewAppKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(AppKeyLength / 2));

    /// <summary>Lowercase hex SHA-256 of the key as sent; header values of any length are fine.</summary>
    public static string Hash(string key)
    {
        Span<byte> digest = stackalloc byte[32];
        var byteCount = Encoding.UTF8.GetByteCount(key);
        if (byteCount <= 512)
        {
            Span<byte> buffer = stackalloc byte[byteCount];
            Encoding.UTF8.GetBytes(key, buffer);
            SHA256.HashData(buffer, digest);
        }
        else
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(key), digest);
        }

        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Constant-time comparison of two hashes.</summary>
    public static bool HashesEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    public static string Last4(string key) => key[^4..];
}
