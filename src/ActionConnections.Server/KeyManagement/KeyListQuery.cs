using System.Globalization;

using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;

namespace ActionConnections.KeyManagement;

/// <summary>
/// The query of the four key list operations: paging, <c>sort</c> and the <c>filter…</c>
/// parameters. Lists of one organisation are small, so they are filtered, sorted and paged in
/// memory. Parameters the operation does not document (<c>include</c>, …) are ignored.
/// </summary>
internal sealed record KeyListQuery
{
    /// <summary>Recorded: the real service returns 100 items without <c>page[size]</c> (the spec says 10; the recordings win).</summary>
    public const int DefaultPageSize = 100;

    /// <summary>"The maximum allowed value is 100."</summary>
    public const int MaxPageSize = 100;

    /// <summary><c>APIKeysSort</c>.</summary>
    public static readonly IReadOnlyList<string> ApiKeySorts =
        ["created_at", "-created_at", "last4", "-last4", "modified_at", "-modified_at", "name", "-name"];

    /// <summary><c>ApplicationKeysSort</c>.</summary>
    public static readonly IReadOnlyList<string> AppKeySorts =
        ["created_at", "-created_at", "last4", "-last4", "name", "-name"];

    private static readonly string[] TimestampFormats =
        ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    public required PageQuery Page { get; init; }

    /// <summary>One of the sort values, without the minus sign.</summary>
    public required string SortField { get; init; }

    public required bool Descending { get; init; }

    /// <summary><c>filter</c>: a case-insensitive substring of the name.</summary>
    public string? Filter { get; init; }

    public DateTimeOffset? CreatedFrom { get; init; }

    public DateTimeOffset? CreatedTo { get; init; }

    public DateTimeOffset? ModifiedFrom { get; init; }

    public DateTimeOffset? ModifiedTo { get; init; }

    public bool? RemoteConfigReadEnabled { get; init; }

    public string? Category { get; init; }

    /// <summary>The query of ListAPIKeys, which also filters on modification, category and remote config.</summary>
    public static Validated<KeyListQuery> ParseForApiKeys(IQueryCollection query)
    {
        if (!TryParseCommon(query, ApiKeySorts, out var common, out var problem)
            || !TryTimestamp(query, "filter[modified_at][start]", out var modifiedFrom, out problem)
            || !TryTimestamp(query, "filter[modified_at][end]", out var modifiedTo, out problem)
            || !TryBool(query, "filter[remote_config_read_enabled]", out var remoteConfig, out problem)
            || !TrySingle(query, "filter[category]", out var category, out problem))
        {
            return problem!;
        }

        return Validated.Valid(common with
        {
            ModifiedFrom = modifiedFrom,
            ModifiedTo = modifiedTo,
            RemoteConfigReadEnabled = remoteConfig,
            Category = category,
        });
    }

    /// <summary>The query of the three application key lists.</summary>
    public static Validated<KeyListQuery> ParseForAppKeys(IQueryCollection query) =>
        TryParseCommon(query, AppKeySorts, out var parsed, out var problem) ? Validated.Valid(parsed) : problem!;

    /// <summary>The requested page of <paramref name="keys"/>, and how many keys passed the filters.</summary>
    public (IReadOnlyList<ApiKeyRecord> Items, int TotalFiltered) Apply(IReadOnlyList<ApiKeyRecord> keys)
    {
        var matching = keys.Where(k =>
            MatchesName(k.Name)
            && InRange(k.CreatedAt, CreatedFrom, CreatedTo)
            && InRange(k.ModifiedAt, ModifiedFrom, ModifiedTo)
            && (RemoteConfigReadEnabled is not { } rce || k.RemoteConfigReadEnabled == rce)
            && (Category is null || string.Equals(k.Category, Category, StringComparison.Ordinal))).ToList();
        Comparison<ApiKeyRecord> compare = SortField switch
        {
            "created_at" => (a, b) => Then(a.CreatedAt.CompareTo(b.CreatedAt), a.Id, b.Id),
            "modified_at" => (a, b) => Then(a.ModifiedAt.CompareTo(b.ModifiedAt), a.Id, b.Id),
            "last4" => (a, b) => Then(string.CompareOrdinal(a.Last4, b.Last4), a.Id, b.Id),
            _ => (a, b) => Then(CompareNames(a.Name, b.Name), a.Id, b.Id),
        };
        return (PageOf(matching, compare), matching.Count);
    }

    /// <summary>The requested page of <paramref name="keys"/>, and how many keys passed the filters.</summary>
    public (IReadOnlyList<AppKeyRecord> Items, int TotalFiltered) Apply(IReadOnlyList<AppKeyRecord> keys)
    {
        var matching = keys.Where(k => MatchesName(k.Name) && InRange(k.CreatedAt, CreatedFrom, CreatedTo)).ToList();
        Comparison<AppKeyRecord> compare = SortField switch
        {
            "created_at" => (a, b) => Then(a.CreatedAt.CompareTo(b.CreatedAt), a.Id, b.Id),
            "last4" => (a, b) => Then(string.CompareOrdinal(a.Last4, b.Last4), a.Id, b.Id),
            _ => (a, b) => Then(CompareNames(a.Name, b.Name), a.Id, b.Id),
        };
        return (PageOf(matching, compare), matching.Count);
    }

    private static bool TryParseCommon(IQueryCollection query, IReadOnlyList<string> sorts, out KeyListQuery parsed, out ApiProblem? problem)
    {
        parsed = null!;
        if (!PageQuery.Parse(query, DefaultPageSize, MaxPageSize).TryGetValue(out var page, out problem)
            || !TrySingle(query, "sort", out var sort, out problem)
            || !TrySingle(query, "filter", out var filter, out problem)
            || !TryTimestamp(query, "filter[created_at][start]", out var createdFrom, out problem)
            || !TryTimestamp(query, "filter[created_at][end]", out var createdTo, out problem))
        {
            return false;
        }

        sort ??= "name";
        if (!sorts.Contains(sort, StringComparer.Ordinal))
        {
            problem = ApiProblem.InvalidQuery("sort", $"expected one of {string.Join(", ", sorts)}");
            return false;
        }

        parsed = new KeyListQuery
        {
            Page = page,
            SortField = sort.TrimStart('-'),
            Descending = sort.StartsWith('-'),
            Filter = string.IsNullOrEmpty(filter) ? null : filter,
            CreatedFrom = createdFrom,
            CreatedTo = createdTo,
        };
        return true;
    }

    private static bool TrySingle(IQueryCollection query, string name, out string? value, out ApiProblem? problem)
    {
        value = null;
        problem = null;
        if (!query.TryGetValue(name, out var values))
        {
            return true;
        }

        if (values.Count != 1)
        {
            problem = ApiProblem.InvalidQuery(name, "expected a single value");
            return false;
        }

        value = values[0];
        return true;
    }

    /// <summary>
    /// An ISO-8601 date or date-time such as the spec's <c>2020-11-24T18:46:21+00:00</c>; without
    /// an offset it is UTC. A <c>+</c> that was not percent-encoded arrives as a space, so a space
    /// before the offset is read as <c>+</c>.
    /// </summary>
    private static bool TryTimestamp(IQueryCollection query, string name, out DateTimeOffset? value, out ApiProblem? problem)
    {
        value = null;
        if (!TrySingle(query, name, out var text, out problem) || text is null)
        {
            return problem is null;
        }

        if (DateTimeOffset.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            || DateTimeOffset.TryParseExact(text.Replace(' ', '+'), TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out parsed))
        {
            value = parsed;
            return true;
        }

        problem = ApiProblem.InvalidQuery(name, "expected an ISO-8601 date or date-time such as 2020-11-24T18:46:21+00:00");
        return false;
    }

    private static bool TryBool(IQueryCollection query, string name, out bool? value, out ApiProblem? problem)
    {
        value = null;
        if (!TrySingle(query, name, out var text, out problem) || text is null)
        {
            return problem is null;
        }

        if (bool.TryParse(text, out var parsed))
        {
            value = parsed;
            return true;
        }

        problem = ApiProblem.InvalidQuery(name, "expected true or false");
        return false;
    }

    private bool MatchesName(string name) => Filter is null || name.Contains(Filter, StringComparison.OrdinalIgnoreCase);

    private static bool InRange(DateTimeOffset time, DateTimeOffset? from, DateTimeOffset? to) =>
        (from is not { } start || time >= start) && (to is not { } end || time <= end);

    /// <summary>Names in case-insensitive order, as the real lists come; case decides only ties.</summary>
    private static int CompareNames(string a, string b)
    {
        var ignoringCase = string.Compare(a, b, StringComparison.OrdinalIgnoreCase);
        return ignoringCase != 0 ? ignoringCase : string.CompareOrdinal(a, b);
    }

    /// <summary>Ties are broken by id, so every order is total and pages never overlap.</summary>
    private static int Then(int first, Guid a, Guid b) => first != 0 ? first : a.CompareTo(b);

    private List<T> PageOf<T>(List<T> items, Comparison<T> compare)
    {
        items.Sort(Descending ? (a, b) => compare(b, a) : compare);
        return Page.Offset >= items.Count ? [] : [.. items.Skip((int)Page.Offset).Take(Page.Size)];
    }
}
