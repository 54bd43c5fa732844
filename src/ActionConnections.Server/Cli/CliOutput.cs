using System.Text.Json.Serialization;
using ActionConnections.Auth;
using ActionConnections.Identity;

namespace ActionConnections.Cli;

// What the CLI prints with --json: its own contract, mapped explicitly from the storage records.
// Records that carry a key redact it from ToString(); the JSON line is the one place it appears.

internal sealed record OrgCreatedOutput
{
    [JsonPropertyName("org_id")]
    public required Guid OrgId { get; init; }

    [JsonPropertyName("api_key")]
    public required string ApiKey { get; init; }

    [JsonPropertyName("app_key")]
    public required string AppKey { get; init; }

    [JsonPropertyName("app_key_id")]
    public required Guid AppKeyId { get; init; }

    [JsonPropertyName("admin_id")]
    public required Guid AdminId { get; init; }

    [JsonPropertyName("api_key_id")]
    public required Guid ApiKeyId { get; init; }

    public override string ToString() => $"OrgCreatedOutput {{ OrgId = {OrgId}, AppKeyId = {AppKeyId}, ApiKeyId = {ApiKeyId}, keys = [redacted] }}";
}

internal sealed record OrgOutput
{
    [JsonPropertyName("id")]
    public required Guid Id { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("created_at")]
    public required DateTimeOffset CreatedAt { get; init; }

    public static OrgOutput From(Organization org) => new() { Id = org.Id, Name = org.Name, CreatedAt = org.CreatedAt };
}

internal sealed record UserOutput
{
    [JsonPropertyName("id")]
    public required Guid Id { get; init; }

    [JsonPropertyName("org_id")]
    public required Guid OrgId { get; init; }

    /// <summary><c>user</c> or <c>service_account</c>.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("email")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? Email { get; init; }

    [JsonPropertyName("role")]
    public required string Role { get; init; }

    [JsonPropertyName("disabled")]
    public required bool Disabled { get; init; }

    [JsonPropertyName("created_at")]
    public required DateTimeOffset CreatedAt { get; init; }

    public static UserOutput From(Principal principal) => new()
    {
        Id = principal.Id,
        OrgId = principal.OrgId,
        Kind = KindText(principal.Kind),
        Name = principal.Name,
        Email = principal.Email,
        Role = principal.Role.ToWire(),
        Disabled = principal.Disabled,
        CreatedAt = principal.CreatedAt,
    };

    public static string KindText(PrincipalKind kind) => kind == PrincipalKind.ServiceAccount ? "service_account" : "user";
}

/// <summary>An API key as listed; with its secret <c>key</c> only as it is created (omitted when null).</summary>
internal sealed record ApiKeyOutput
{
    [JsonPropertyName("id")]
    public required Guid Id { get; init; }

    [JsonPropertyName("org_id")]
    public required Guid OrgId { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("key")]
    public string? Key { get; init; }

    [JsonPropertyName("last4")]
    public required string Last4 { get; init; }

    [JsonPropertyName("created_by")]
    public required Guid CreatedBy { get; init; }

    [JsonPropertyName("created_at")]
    public required DateTimeOffset CreatedAt { get; init; }

    public static ApiKeyOutput From(ApiKeyRecord key) => new()
    {
        Id = key.Id,
        OrgId = key.OrgId,
        Name = key.Name,
        Last4 = key.Last4,
        CreatedBy = key.CreatedBy,
        CreatedAt = key.CreatedAt,
    };

    public static ApiKeyOutput Created(NewKey<ApiKeyRecord> created) => From(created.Record) with { Key = created.Key };

    public override string ToString() => $"ApiKeyOutput {{ Id = {Id}, OrgId = {OrgId}, Key = [redacted] }}";
}

/// <summary>An application key as listed; with its secret <c>key</c> only as it is created (omitted when null).</summary>
internal sealed record AppKeyOutput
{
    [JsonPropertyName("id")]
    public required Guid Id { get; init; }

    [JsonPropertyName("org_id")]
    public required Guid OrgId { get; init; }

    [JsonPropertyName("owner_id")]
    public required Guid OwnerId { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("key")]
    public string? Key { get; init; }

    [JsonPropertyName("last4")]
    public required string Last4 { get; init; }

    /// <summary>Null: the key has all of its owner's permissions.</summary>
    [JsonPropertyName("scopes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required IReadOnlyList<string>? Scopes { get; init; }

    [JsonPropertyName("created_at")]
    public required DateTimeOffset CreatedAt { get; init; }

    public static AppKeyOutput From(AppKeyRecord key) => new()
    {
        Id = key.Id,
        OrgId = key.OrgId,
        OwnerId = key.OwnerId,
        Name = key.Name,
        Last4 = key.Last4,
        Scopes = key.Scopes,
        CreatedAt = key.CreatedAt,
    };

    public static AppKeyOutput Created(NewKey<AppKeyRecord> created) => From(created.Record) with { Key = created.Key };

    public override string ToString() => $"AppKeyOutput {{ Id = {Id}, OrgId = {OrgId}, Key = [redacted] }}";
}

/// <summary>Plain-text lists: one header line, then one line a row, columns padded to line up.</summary>
internal static class TextTable
{
    public static void Write(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = new int[headers.Count];
        foreach (var row in all)
        {
            for (var i = 0; i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in all)
        {
            var cells = row.Select((cell, i) => i == widths.Length - 1 ? cell : cell.PadRight(widths[i]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
