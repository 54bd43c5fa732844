using System.Security.Cryptography;

namespace ActionConnections.Secrets;

/// <summary>A 256-bit master key and its id (a fingerprint of the key, so an id can never name the wrong key).</summary>
internal sealed class MasterKey
{
    public MasterKey(byte[] material)
    {
        if (material.Length != 32)
        {
            throw new ArgumentException("A master key is exactly 32 bytes (256 bits).", nameof(material));
        }

        Material = material;
        Id = "k" + Convert.ToHexStringLower(SHA256.HashData(material), 0, 6);
    }

    public string Id { get; }

    public byte[] Material { get; }

    public override string ToString() => $"MasterKey({Id})";

    /// <summary>Parses the base64 text form (standard or URL alphabet, surrounding space ignored).</summary>
    public static MasterKey Parse(string text, string source)
    {
        var trimmed = text.Trim().Replace('-', '+').Replace('_', '/');
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(trimmed.PadRight(trimmed.Length + ((4 - (trimmed.Length % 4)) % 4), '='));
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The master key from {source} is not base64.");
        }

        if (bytes.Length != 32)
        {
            throw new InvalidOperationException($"The master key from {source} must decode to 32 bytes (got {bytes.Length}). Generate one with: openssl rand -base64 32");
        }

        return new MasterKey(bytes);
    }
}

/// <summary>The configured master keys: the active one encrypts; all of them decrypt.</summary>
internal sealed class MasterKeyRing(MasterKey active, IReadOnlyList<MasterKey> previous)
{
    public MasterKey Active { get; } = active;

    /// <summary>Keys that only decrypt.</summary>
    public IReadOnlyList<MasterKey> Previous { get; } = [.. previous.Where(k => k.Id != active.Id).DistinctBy(k => k.Id)];

    public MasterKey? Find(string id) =>
        Active.Id == id ? Active : Previous.FirstOrDefault(k => k.Id == id);

    public IEnumerable<string> KeyIds => Previous.Select(k => k.Id).Prepend(Active.Id);
}
