using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using ActionConnections.Identity;
using Microsoft.Extensions.Options;

namespace ActionConnections.Gateway;

/// <summary>
/// Remembers successful authentications for <see cref="GatewayOptions.AuthCacheSeconds"/>, so the
/// read path costs one database round trip instead of two. The bound is the staleness a change
/// made elsewhere (another replica, the admin CLI) can have here; changes made through this
/// server's API invalidate the cache at once. Entries are keyed by a hash of the key pair, never
/// the keys; failures are never cached.
/// </summary>
internal sealed class AuthenticationCache(IIdentityStore identity, TimeProvider time, IOptions<GatewayOptions> options)
{
    /// <summary>More distinct key pairs than any real deployment uses at once; past it the cache starts over.</summary>
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<PairHash, Entry> _entries = new();
    private readonly long _ttlTicks = TimeSpan.FromSeconds(options.Value.AuthCacheSeconds).Ticks;
    private long _generation;

    public async Task<Caller?> AuthenticateAsync(string apiKey, string appKey, CancellationToken cancellationToken)
    {
        if (_ttlTicks == 0)
        {
            return await identity.AuthenticateAsync(apiKey, appKey, cancellationToken);
        }

        var cacheKey = PairHash.Of(apiKey, appKey);
        var now = time.GetUtcNow().UtcTicks;
        var generation = Volatile.Read(ref _generation);
        if (_entries.TryGetValue(cacheKey, out var entry) && entry.ExpiresAt > now && entry.Generation == generation)
        {
            return entry.Caller;
        }

        var caller = await identity.AuthenticateAsync(apiKey, appKey, cancellationToken);
        if (caller is not null)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            // Stamped with the generation read before the lookup: if an invalidation happened
            // meanwhile, this entry is already stale and will not be used.
            _entries[cacheKey] = new Entry(caller, now + _ttlTicks, generation);
        }

        return caller;
    }

    /// <summary>Forgets everything: a key, principal or registration changed.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private sealed record Entry(Caller Caller, long ExpiresAt, long Generation);

    /// <summary>SHA-256 of <c>api key + "\n" + app key</c> as UTF-8, computed without allocating.</summary>
    private readonly record struct PairHash(UInt128 High, UInt128 Low)
    {
        public static PairHash Of(string apiKey, string appKey)
        {
            var length = Encoding.UTF8.GetMaxByteCount(apiKey.Length + 1 + appKey.Length);
            var rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
            try
            {
                var buffer = rented is null ? stackalloc byte[length] : rented;
                var written = Encoding.UTF8.GetBytes(apiKey, buffer);
                buffer[written++] = (byte)'\n';
                written += Encoding.UTF8.GetBytes(appKey, buffer[written..]);
                Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
                SHA256.HashData(buffer[..written], digest);
                return new PairHash(MemoryMarshal.Read<UInt128>(digest), MemoryMarshal.Read<UInt128>(digest[16..]));
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
    }
}

internal static class AuthenticationCacheEndpoints
{
    /// <summary>After a successful call, cached authentications are forgotten (the call changed who may do what).</summary>
    public static RouteHandlerBuilder InvalidatesAuthentication(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (invocation, next) =>
        {
            var result = await next(invocation);
            invocation.HttpContext.RequestServices.GetRequiredService<AuthenticationCache>().Invalidate();
            return result;
        });
}
