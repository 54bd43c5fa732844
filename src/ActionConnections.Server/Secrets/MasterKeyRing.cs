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

/// <summary>
/// The configured master keys: the active one encrypts; all of them decrypt. With a key file,
/// a key id not found is looked up again in the file (at most once a second): a key added with
/// <c>secrets add-key</c> after this process started decrypts at once, so a connection another
/// process already re-sealed under it is not an error here. The active key changes only with a
/// restart, so what this server reports as its writing key (ADR 0012) stays true.
/// </summary>
internal sealed class MasterKeyRing(MasterKey active, IReadOnlyList<MasterKey> previous, Func<IReadOnlyList<MasterKey>>? reload = null)
{
    private static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _reloadLock = new();
    private IReadOnlyList<MasterKey> _previous = [.. previous.Where(k => k.Id != active.Id).DistinctBy(k => k.Id)];
    private long _lastReload = long.MinValue;

    public MasterKey Active { get; } = active;

    /// <summary>Keys that only decrypt.</summary>
    public IReadOnlyList<MasterKey> Previous => Volatile.Read(ref _previous);

    public MasterKey? Find(string id) =>
        Active.Id == id ? Active : Previous.FirstOrDefault(k => k.Id == id) ?? Reload(id);

    public IEnumerable<string> KeyIds => Previous.Select(k => k.Id).Prepend(Active.Id);

    private MasterKey? Reload(string id)
    {
        if (reload is null)
        {
            return null;
        }

        lock (_reloadLock)
        {
            var now = Environment.TickCount64;
            if (_lastReload != long.MinValue && now - _lastReload < (long)ReloadInterval.TotalMilliseconds)
            {
                return Previous.FirstOrDefault(k => k.Id == id);
            }

            _lastReload = now;
            IReadOnlyList<MasterKey> found;
            try
            {
                found = reload();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or Settings.StartupException)
            {
                return null;
            }

            // Keys are only ever added here: one dropped from the file may still be needed until restart.
            Volatile.Write(ref _previous, [.. Previous, .. found.Where(k => k.Id != Active.Id && Previous.All(p => p.Id != k.Id))]);
            return Previous.FirstOrDefault(k => k.Id == id);
        }
    }
}
