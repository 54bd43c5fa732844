using System.Buffers.Binary;
using System.Security.Cryptography;
using ActionConnections.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace ActionConnections.WebConsole.Sessions;

/// <summary>
/// A console session is a cookie holding the ids of the key pair that signed in (never a key),
/// when the session began and when it was last used, protected (encrypted and authenticated)
/// with ASP.NET Core Data Protection under the key ring in the database. Every request resolves
/// the ids to a caller afresh, so a revoked key, a disabled user or an unregistered key ends the
/// session's powers at once, exactly as it does for the API. Sessions end after
/// <see cref="ConsoleOptions.ConsoleIdleTimeoutMinutes"/> without use and
/// <see cref="ConsoleOptions.ConsoleAbsoluteTimeoutMinutes"/> after sign-in.
/// </summary>
internal sealed class ConsoleSessions(IDataProtectionProvider dataProtection, IIdentityStore identity, TimeProvider time, IOptions<ConsoleOptions> options)
{
    public const string CookieName = "ac_console_session";

    /// <summary>The last-use time is rewritten at most this often, not on every request.</summary>
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromMinutes(1);

    private const byte Version = 1;
    private const int PayloadLength = 1 + 16 + 16 + 8 + 8;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("ActionConnections.Console.Session.v1");
    private readonly TimeSpan _idle = TimeSpan.FromMinutes(options.Value.ConsoleIdleTimeoutMinutes);
    private readonly TimeSpan _absolute = TimeSpan.FromMinutes(options.Value.ConsoleAbsoluteTimeoutMinutes);

    /// <summary>Starts a session for the key pair that just authenticated.</summary>
    public void Begin(HttpContext context, Caller caller)
    {
        var now = time.GetUtcNow();
        Write(context, new Session(caller.ApiKeyId, caller.AppKeyId, now, now));
    }

    /// <summary>The caller of a live session, or null (no cookie, tampered, timed out, keys gone).</summary>
    public async Task<Caller?> ResumeAsync(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var cookie) || Read(cookie) is not { } session)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (now - session.LastSeenAt > _idle || now - session.SignedInAt > _absolute || session.LastSeenAt > now + RefreshEvery)
        {
            End(context);
            return null;
        }

        var caller = await identity.FindCallerAsync(session.ApiKeyId, session.AppKeyId, context.RequestAborted);
        if (caller is null)
        {
            End(context);
            return null;
        }

        if (now - session.LastSeenAt > RefreshEvery)
        {
            Write(context, session with { LastSeenAt = now });
        }

        return caller;
    }

    public static void End(HttpContext context) => context.Response.Cookies.Delete(CookieName, CookieOptions(context));

    private void Write(HttpContext context, Session session)
    {
        Span<byte> payload = stackalloc byte[PayloadLength];
        payload[0] = Version;
        session.ApiKeyId.TryWriteBytes(payload[1..17]);
        session.AppKeyId.TryWriteBytes(payload[17..33]);
        BinaryPrimitives.WriteInt64BigEndian(payload[33..41], session.SignedInAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64BigEndian(payload[41..49], session.LastSeenAt.ToUnixTimeMilliseconds());
        var value = WebEncoders.Base64UrlEncode(_protector.Protect(payload.ToArray()));
        context.Response.Cookies.Append(CookieName, value, CookieOptions(context));
    }

    private Session? Read(string cookie)
    {
        try
        {
            var payload = _protector.Unprotect(WebEncoders.Base64UrlDecode(cookie));
            if (payload.Length != PayloadLength || payload[0] != Version)
            {
                return null;
            }

            return new Session(
                new Guid(payload.AsSpan(1, 16)),
                new Guid(payload.AsSpan(17, 16)),
                DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(33, 8))),
                DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(41, 8))));
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            // Tampered, from another key ring, or not ours at all: simply no session.
            return null;
        }
    }

    /// <summary>HttpOnly, SameSite=Strict, Secure over https, scoped to the console, ending with the browser.</summary>
    private static CookieOptions CookieOptions(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = ConsoleRoutes.Base,
        IsEssential = true,
    };

    private sealed record Session(Guid ApiKeyId, Guid AppKeyId, DateTimeOffset SignedInAt, DateTimeOffset LastSeenAt);
}
