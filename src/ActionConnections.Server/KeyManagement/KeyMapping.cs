using System.Globalization;

using ActionConnections.Identity;
using ActionConnections.Json;

namespace ActionConnections.KeyManagement;

/// <summary>
/// Storage rows to wire objects. The secret is only ever passed in by the create handlers: the
/// store keeps hashes only, so a key read back from it cannot carry one.
/// </summary>
internal static class KeyMapping
{
    /// <summary>The recorded timestamp shape: microseconds, always UTC as <c>+00:00</c> (<c>2025-09-08T09:24:42.999350+00:00</c>).</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    public static ApiKeyData ApiKey(ApiKeyRecord record, string? secret = null) => new()
    {
        Id = record.Id,
        Attributes = new ApiKeyAttributes
        {
            CreatedAt = Timestamp(record.CreatedAt),
            Key = secret,
            Last4 = record.Last4,
            ModifiedAt = Timestamp(record.ModifiedAt),
            RemoteConfigReadEnabled = record.RemoteConfigReadEnabled,
            Category = record.Category,
            Name = record.Name,
        },
        Relationships = new ApiKeyRelationships
        {
            CreatedBy = User(record.CreatedBy),

            // A key never modified was, as the recordings show, last modified by its creator.
            ModifiedBy = User(record.ModifiedBy ?? record.CreatedBy),
        },
    };

    public static AppKeyData AppKey(AppKeyRecord record, bool withOwner, string? secret = null) => new()
    {
        Id = record.Id,
        Attributes = new AppKeyAttributes
        {
            Name = record.Name,
            CreatedAt = Timestamp(record.CreatedAt),
            Last4 = record.Last4,
            Key = secret,
            Scopes = record.Scopes,
        },
        Relationships = new AppKeyRelationships
        {
            OwnedBy = withOwner ? User(record.OwnerId) : null,
        },
    };

    private static JsonApiData<UserRelationshipData> User(Guid id) => new(new UserRelationshipData { Id = id });
}
