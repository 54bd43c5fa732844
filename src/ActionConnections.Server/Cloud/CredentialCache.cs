using System.Collections.Concurrent;
using ActionConnections.Connections;

namespace ActionConnections.Cloud;

/// <summary>
/// Minted credentials, in this process's memory only, reused for the same connection and request
/// until <see cref="RefreshBefore"/> their expiry. The key holds the connection's stored version,
/// so a change made through another replica is not served from here either; a change through this
/// one drops the connection's entries at once (<see cref="IConnectionChangeObserver"/>).
/// </summary>
internal sealed class CredentialCache(TimeProvider time) : IConnectionChangeObserver
{
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);

    /// <summary>Beyond this many entries, expired ones are swept before adding.</summary>
    private const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<CacheKey, MintedCredential> _entries = new();

    public MintedCredential? Find(CacheKey key)
    {
        if (_entries.TryGetValue(key, out var credential))
        {
            if (IsFresh(credential))
            {
                return credential;
            }

            _entries.TryRemove(new KeyValuePair<CacheKey, MintedCredential>(key, credential));
        }

        return null;
    }

    public void Add(CacheKey key, MintedCredential credential)
    {
        if (!IsFresh(credential))
        {
            return;
        }

        if (_entries.Count >= SweepAbove)
        {
            foreach (var entry in _entries)
            {
                if (!IsFresh(entry.Value))
                {
                    _entries.TryRemove(entry);
                }
            }
        }

        _entries[key] = credential;
    }

    public void ConnectionChanged(Guid orgId, Guid connectionId)
    {
        foreach (var key in _entries.Keys)
        {
            if (key.ConnectionId == connectionId && key.OrgId == orgId)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    /// <summary>How many credentials are held (tests check that a change drops them).</summary>
    internal int Count => _entries.Count;

    private bool IsFresh(MintedCredential credential) => time.GetUtcNow() < credential.Expiration - RefreshBefore;
}

/// <summary>One connection at one stored version, and what was asked of it.</summary>
internal readonly record struct CacheKey(Guid OrgId, Guid ConnectionId, long Version, int DurationSeconds, string Scopes);
