using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace ActionConnections.Connections;

/// <summary>
/// Rows already parsed, by id, each with the version and update time it was read at (ADR 0008).
/// A read still queries the row, then reuses the parsed form only if the row is at that version
/// (every write bumps it), so it is never stale, whichever process wrote; it only saves decoding
/// the same stored JSON again. Bounded: after <paramref name="maxRows"/> additions it starts over.
/// </summary>
internal sealed class ParsedRows<T>(int maxRows)
    where T : class
{
    private readonly ConcurrentDictionary<Guid, Entry> _rows = new();

    /// <summary>
    /// Rows added since the last start-over. Counts additions, not entries
    /// (<c>ConcurrentDictionary.Count</c> takes every lock, and with a large store nearly every
    /// read adds): an upper bound of the entries kept.
    /// </summary>
    private int _added;

    /// <summary>The form parsed at exactly this <paramref name="version"/> and <paramref name="updatedAt"/>, if kept.</summary>
    public bool TryGet(Guid id, long version, long updatedAt, [NotNullWhen(true)] out T? parsed)
    {
        if (_rows.TryGetValue(id, out var known) && known.Version == version && known.UpdatedAt == updatedAt)
        {
            parsed = known.Parsed;
            return true;
        }

        parsed = null;
        return false;
    }

    public void Add(Guid id, long version, long updatedAt, T parsed)
    {
        if (Interlocked.Increment(ref _added) > maxRows)
        {
            _rows.Clear();
            Interlocked.Exchange(ref _added, 1);
        }

        _rows[id] = new Entry(version, updatedAt, parsed);
    }

    public void Forget(Guid id) => _rows.TryRemove(id, out _);

    private sealed record Entry(long Version, long UpdatedAt, T Parsed);
}
