using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActionConnections.Json;
using ActionConnections.Secrets;
using ActionConnections.Storage;

namespace ActionConnections.Recovery;

/// <summary>
/// <c>store verify</c>: the schema version, the database's integrity, and that every stored secret
/// decrypts under the configured key ring (in its own place: organisation, connection, field),
/// with counts per organisation. On either provider; reads only.
/// </summary>
internal sealed class StoreVerifier(IDatabase db, MasterKeyRing keys)
{
    private const int BatchSize = 500;

    /// <summary>Failures listed in the report (all are counted).</summary>
    private const int MaxListedFailures = 1000;

    public async Task<VerifyReport> RunAsync(IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        var schema = await db.SchemaVersionAsync(cancellationToken);
        var schemaOk = schema == MigrationRunner.LatestVersion;
        if (schema == 0)
        {
            return new VerifyReport
            {
                Ok = false,
                Schema = new SchemaCheck { Version = 0, Expected = MigrationRunner.LatestVersion, Ok = false },
                Integrity = new IntegrityCheck { Ok = false, Problems = ["the database has no schema: it is empty or not this service's."] },
                Secrets = new SecretsCheck { Connections = 0, Secrets = 0, FailedConnections = 0, Failed = [], ActiveKeyId = keys.Active.Id, ConfiguredKeyIds = [.. keys.KeyIds] },
                Organizations = [],
            };
        }

        await using var connection = await db.OpenAsync(cancellationToken);
        var problems = await IntegrityProblemsAsync(connection, cancellationToken);
        var organizations = await CountsAsync(connection, cancellationToken);
        var secrets = await CheckSecretsAsync(connection, organizations.Sum(o => o.Connections), progress, cancellationToken);
        return new VerifyReport
        {
            Ok = schemaOk && problems.Count == 0 && secrets.FailedConnections == 0,
            Schema = new SchemaCheck { Version = schema, Expected = MigrationRunner.LatestVersion, Ok = schemaOk },
            Integrity = new IntegrityCheck { Ok = problems.Count == 0, Problems = problems },
            Secrets = secrets,
            Organizations = organizations,
        };
    }

    /// <summary>
    /// SQLite: <c>PRAGMA integrity_check</c> and <c>foreign_key_check</c>. Both providers: rows whose
    /// organisation, owner or key is gone (the references the schema relies on).
    /// </summary>
    private async Task<List<string>> IntegrityProblemsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (db.ProviderName == SqliteDatabase.Provider)
        {
            var integrity = await LinesAsync(connection, "PRAGMA integrity_check;", cancellationToken);
            if (integrity is not ["ok"])
            {
                problems.AddRange(integrity.Take(20).Select(line => $"integrity_check: {line}"));
            }

            foreach (var row in await LinesAsync(connection, "SELECT \"table\" || ' row ' || rowid || ' refers to a missing row of ' || parent FROM pragma_foreign_key_check;", cancellationToken))
            {
                problems.Add($"foreign_key_check: {row}");
            }
        }

        (string Sql, string What)[] orphans =
        [
            ("SELECT COUNT(*) FROM connections c WHERE NOT EXISTS (SELECT 1 FROM orgs o WHERE o.id = c.org_id);", "connection(s) of no organisation"),
            ("SELECT COUNT(*) FROM principals p WHERE NOT EXISTS (SELECT 1 FROM orgs o WHERE o.id = p.org_id);", "user(s) of no organisation"),
            ("SELECT COUNT(*) FROM api_keys k WHERE NOT EXISTS (SELECT 1 FROM orgs o WHERE o.id = k.org_id);", "API key(s) of no organisation"),
            ("SELECT COUNT(*) FROM app_keys k WHERE NOT EXISTS (SELECT 1 FROM principals p WHERE p.id = k.owner_id AND p.org_id = k.org_id);", "application key(s) whose owner is gone"),
            ("SELECT COUNT(*) FROM app_key_registrations r WHERE NOT EXISTS (SELECT 1 FROM app_keys k WHERE k.id = r.app_key_id AND k.org_id = r.org_id);", "registration(s) of a missing key"),
            ("SELECT COUNT(*) FROM connections WHERE secrets <> '{}' AND key_id IS NULL;", "connection(s) with secrets but no master key id"),
        ];
        foreach (var (sql, what) in orphans)
        {
            await using var command = connection.Command(sql);
            var count = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            if (count > 0)
            {
                problems.Add($"{count} {what}");
            }
        }

        return problems;
    }

    private static async Task<List<OrganizationCounts>> CountsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var orgs = new List<OrganizationCounts>();
        await using var command = connection.Command("""
            SELECT o.id, o.name,
                (SELECT COUNT(*) FROM connections c WHERE c.org_id = o.id),
                (SELECT COUNT(*) FROM api_keys k WHERE k.org_id = o.id),
                (SELECT COUNT(*) FROM app_keys k WHERE k.org_id = o.id),
                (SELECT COUNT(*) FROM app_key_registrations r WHERE r.org_id = o.id),
                (SELECT COUNT(*) FROM principals p WHERE p.org_id = o.id)
            FROM orgs o ORDER BY o.created_at, o.id;
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            orgs.Add(new OrganizationCounts
            {
                Id = Guid.Parse(reader.GetString(0)),
                Name = reader.GetString(1),
                Connections = reader.GetInt64(2),
                ApiKeys = reader.GetInt64(3),
                AppKeys = reader.GetInt64(4),
                Registrations = reader.GetInt64(5),
                Users = reader.GetInt64(6),
            });
        }

        return orgs;
    }

    /// <summary>Decrypts every secret of every connection, in id order, a batch at a time.</summary>
    private async Task<SecretsCheck> CheckSecretsAsync(DbConnection connection, long total, IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        var protector = new AesGcmSecretProtector(keys);
        var failed = new List<SecretFailure>();
        long connections = 0, secrets = 0, failedConnections = 0;
        string after = string.Empty;
        progress?.Report((0, total));
        while (true)
        {
            var batch = new List<(string Id, string OrgId, string Name, string Secrets)>();
            await using (var command = connection.Command("SELECT id, org_id, name, secrets FROM connections WHERE id > @after ORDER BY id LIMIT @limit;")
                .With("@after", after).With("@limit", (long)BatchSize))
            {
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    batch.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
                }
            }

            if (batch.Count == 0)
            {
                break;
            }

            foreach (var row in batch)
            {
                connections++;
                var ok = true;
                foreach (var (field, ciphertext, reason) in Check(protector, row.Id, row.OrgId, row.Secrets))
                {
                    secrets++;
                    if (reason is null)
                    {
                        continue;
                    }

                    ok = false;
                    if (failed.Count < MaxListedFailures)
                    {
                        failed.Add(new SecretFailure { ConnectionId = row.Id, OrgId = row.OrgId, Name = row.Name, Field = field, KeyId = protector.KeyIdOf(ciphertext), Reason = reason });
                    }
                }

                if (!ok)
                {
                    failedConnections++;
                }
            }

            after = batch[^1].Id;
            progress?.Report((connections, Math.Max(total, connections)));
        }

        return new SecretsCheck
        {
            Connections = connections,
            Secrets = secrets,
            FailedConnections = failedConnections,
            Failed = failed,
            ActiveKeyId = keys.Active.Id,
            ConfiguredKeyIds = [.. keys.KeyIds],
        };
    }

    /// <summary>Each secret of a row with null, or the reason it does not decrypt (never its value).</summary>
    private static IEnumerable<(string Field, string Ciphertext, string? Reason)> Check(AesGcmSecretProtector protector, string id, string orgId, string storedSecrets)
    {
        Dictionary<string, string>? sealedSecrets;
        try
        {
            sealedSecrets = JsonSerializer.Deserialize(storedSecrets, AppJson.Context.DictionaryStringString);
        }
        catch (JsonException)
        {
            sealedSecrets = null;
        }

        if (sealedSecrets is null || !Guid.TryParse(id, out var connectionId) || !Guid.TryParse(orgId, out var org))
        {
            yield return ("*", string.Empty, "the stored secrets are not readable");
            yield break;
        }

        foreach (var (field, ciphertext) in sealedSecrets.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            string? reason = null;
            try
            {
                protector.Unprotect(ciphertext, new SecretContext(org, connectionId, field));
            }
            catch (SecretDecryptionException e)
            {
                reason = e.Message;
            }

            yield return (field, ciphertext, reason);
        }
    }

    private static async Task<List<string>> LinesAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lines = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture) ?? string.Empty);
        }

        return lines;
    }
}

/// <summary>The result of <c>store verify</c>; its <c>--json</c> output.</summary>
internal sealed record VerifyReport
{
    [JsonPropertyName("ok")]
    public required bool Ok { get; init; }

    [JsonPropertyName("schema")]
    public required SchemaCheck Schema { get; init; }

    [JsonPropertyName("integrity")]
    public required IntegrityCheck Integrity { get; init; }

    [JsonPropertyName("secrets")]
    public required SecretsCheck Secrets { get; init; }

    [JsonPropertyName("organizations")]
    public required IReadOnlyList<OrganizationCounts> Organizations { get; init; }
}

internal sealed record SchemaCheck
{
    [JsonPropertyName("version")]
    public required long Version { get; init; }

    [JsonPropertyName("expected")]
    public required long Expected { get; init; }

    [JsonPropertyName("ok")]
    public required bool Ok { get; init; }
}

internal sealed record IntegrityCheck
{
    [JsonPropertyName("ok")]
    public required bool Ok { get; init; }

    [JsonPropertyName("problems")]
    public required IReadOnlyList<string> Problems { get; init; }
}

internal sealed record SecretsCheck
{
    [JsonPropertyName("connections")]
    public required long Connections { get; init; }

    [JsonPropertyName("secrets")]
    public required long Secrets { get; init; }

    [JsonPropertyName("failed_connections")]
    public required long FailedConnections { get; init; }

    /// <summary>The first failures (up to 1000), one per secret that does not decrypt.</summary>
    [JsonPropertyName("failed")]
    public required IReadOnlyList<SecretFailure> Failed { get; init; }

    [JsonPropertyName("active_key_id")]
    public required string ActiveKeyId { get; init; }

    [JsonPropertyName("configured_key_ids")]
    public required IReadOnlyList<string> ConfiguredKeyIds { get; init; }
}

internal sealed record SecretFailure
{
    [JsonPropertyName("connection_id")]
    public required string ConnectionId { get; init; }

    [JsonPropertyName("org_id")]
    public required string OrgId { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("field")]
    public required string Field { get; init; }

    /// <summary>The master key the ciphertext names (null when it names none).</summary>
    [JsonPropertyName("key_id")]
    public required string? KeyId { get; init; }

    [JsonPropertyName("reason")]
    public required string Reason { get; init; }
}

internal sealed record OrganizationCounts
{
    [JsonPropertyName("id")]
    public required Guid Id { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("connections")]
    public required long Connections { get; init; }

    [JsonPropertyName("users")]
    public required long Users { get; init; }

    [JsonPropertyName("api_keys")]
    public required long ApiKeys { get; init; }

    [JsonPropertyName("app_keys")]
    public required long AppKeys { get; init; }

    [JsonPropertyName("registrations")]
    public required long Registrations { get; init; }
}
