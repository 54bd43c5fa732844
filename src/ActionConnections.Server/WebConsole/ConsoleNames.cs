using System.Globalization;
using ActionConnections.Identity;

namespace ActionConnections.WebConsole;

/// <summary>How the console shows ids and times to people.</summary>
internal static class ConsoleNames
{
    /// <summary>Principal names of the organisation by id (authors, audit actors).</summary>
    public static async Task<IReadOnlyDictionary<Guid, string>> PrincipalsAsync(IIdentityStore identity, Guid orgId, CancellationToken cancellationToken) =>
        (await identity.ListPrincipalsAsync(orgId, cancellationToken)).ToDictionary(p => p.Id, p => p.Name);

    public static string Author(IReadOnlyDictionary<Guid, string> names, Guid? id) =>
        id is { } known ? names.TryGetValue(known, out var name) ? name : known.ToString("D") : "—";

    /// <summary>UTC, to the second, in a form both people and machines read.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string IsoTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
