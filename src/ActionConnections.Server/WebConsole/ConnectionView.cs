using System.Text.Json;
using ActionConnections.Connections;
using ActionConnections.Json;

namespace ActionConnections.WebConsole;

/// <summary>One shown field of a connection: a value, or "set" for a secret (whose value the console never has).</summary>
internal sealed record ShownField(string Label, string? Value, bool IsSecret);

/// <summary>A list of a credential (HTTP tokens, headers, URL parameters), one row per item.</summary>
internal sealed record ShownList(string Label, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<ShownField>> Rows);

/// <summary>
/// What the detail page shows of a connection, read from the same public document the API
/// answers (secrets there are <c>""</c>; which fields are secrets comes from the credential's
/// own list of secrets), so the page can show nothing the API does not.
/// </summary>
internal sealed record ConnectionView(IReadOnlyList<ShownField> Fields, IReadOnlyList<ShownList> Lists, AwsTrust? Aws)
{
    public static ConnectionView Of(PublicConnection connection)
    {
        var credentials = connection.Integration.AnyCredentials;
        var secrets = credentials.Secrets().Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var document = JsonSerializer.SerializeToElement(connection.Integration, AppJson.Context.Integration);
        var fields = new List<ShownField>();
        var lists = new List<ShownList>();
        AddObject(document, prefix: null, fields, lists, secrets, skipCredentials: true);
        if (document.TryGetProperty("credentials", out var credentialsDocument))
        {
            AddObject(credentialsDocument, prefix: null, fields, lists, secrets, skipCredentials: false);
        }

        AwsTrust? aws = null;
        if (credentials.Type == "AWSAssumeRole" && credentialsDocument.ValueKind == JsonValueKind.Object
            && credentialsDocument.TryGetProperty("external_id", out var external) && credentialsDocument.TryGetProperty("principal_id", out var principal))
        {
            aws = new AwsTrust(principal.GetString() ?? string.Empty, external.GetString() ?? string.Empty);
        }

        return new ConnectionView(fields, lists, aws);
    }

    private static void AddObject(JsonElement element, string? prefix, List<ShownField> fields, List<ShownList> lists, HashSet<string> secrets, bool skipCredentials)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name == "type" || (skipCredentials && property.Name == "credentials"))
            {
                continue;
            }

            var label = FieldLabels.Of(prefix is null ? property.Name : $"{prefix}_{property.Name}");
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Array:
                    lists.Add(ListOf(property.Name, label, property.Value, secrets));
                    break;
                case JsonValueKind.Object:
                    AddObject(property.Value, property.Name, fields, lists, secrets, skipCredentials: false);
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    var isSecret = prefix is null && secrets.Contains(property.Name);
                    fields.Add(new ShownField(label, isSecret ? null : Text(property.Value), isSecret));
                    break;
            }
        }
    }

    private static ShownList ListOf(string name, string label, JsonElement items, HashSet<string> secrets)
    {
        var columns = new List<string>();
        var rows = new List<IReadOnlyList<ShownField>>();
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                rows.Add([new ShownField("Value", Text(item), false)]);
                continue;
            }

            var itemName = item.TryGetProperty("name", out var n) ? n.GetString() : null;
            var row = new List<ShownField>();
            foreach (var property in item.EnumerateObject())
            {
                var column = FieldLabels.Of(property.Name);
                if (!columns.Contains(column))
                {
                    columns.Add(column);
                }

                var isSecret = property.Name == "value" && itemName is not null && secrets.Contains($"{name}/{itemName}");
                row.Add(new ShownField(column, isSecret ? null : Text(property.Value), isSecret));
            }

            rows.Add(row);
        }

        if (columns.Count == 0)
        {
            columns.Add("Value");
        }

        return new ShownList(label, columns, rows);
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : value.GetRawText();
}

/// <summary>What an AWS account owner pastes into IAM so this deployment may assume the role.</summary>
internal sealed record AwsTrust(string PrincipalId, string ExternalId)
{
    public string TrustPolicy => $$"""
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": { "AWS": "arn:aws:iam::{{PrincipalId}}:root" },
              "Action": "sts:AssumeRole",
              "Condition": { "StringEquals": { "sts:ExternalId": "{{ExternalId}}" } }
            }
          ]
        }
        """;
}

/// <summary>Labels for wire field names: words capitalised as people write them (<c>api_token</c> → "API token").</summary>
internal static class FieldLabels
{
    private static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
    {
        ["api"] = "API",
        ["id"] = "ID",
        ["url"] = "URL",
        ["http"] = "HTTP",
        ["aws"] = "AWS",
        ["gcp"] = "GCP",
        ["ids"] = "IDs",
        ["sdk"] = "SDK",
        ["oauth"] = "OAuth",
        ["json"] = "JSON",
    };

    public static string Of(string name)
    {
        var words = name.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => Words.TryGetValue(w.ToLowerInvariant(), out var fixedWord) ? fixedWord : w.ToLowerInvariant())
            .ToArray();
        if (words.Length == 0)
        {
            return name;
        }

        if (!Words.ContainsValue(words[0]))
        {
            words[0] = char.ToUpperInvariant(words[0][0]) + words[0][1..];
        }

        return string.Join(' ', words);
    }
}
