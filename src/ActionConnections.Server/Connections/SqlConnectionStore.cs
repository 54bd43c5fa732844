using System.Data.Common;
using System.Text.Json;
using ActionConnections.Audit;
using ActionConnections.Json;
using ActionConnections.Storage;

namespace ActionConnections.Connections;

/// <summary>
/// Connections in one table: the public integration JSON (secrets written as <c>""</c>) and the
/// map of secret name → ciphertext in separate columns, so reads never touch ciphertext.
/// </summary>
internal sealed class SqlConnectionStore(IDatabase db) : IConnectionStore
{
    /// <summary>Every column, in the order <see cref="Read"/> reads them.</summary>
    private const string Columns = "id, org_id, name, integration_type, credential_type, integration, secrets, tags, created_by, created_at, updated_at, version, key_id, secret_hosts";

    /// <summary>
    /// The columns reads show (no secrets) after the row's version, in the order
    /// <see cref="ReadPublic"/> reads them.
    /// </summary>
    private const string PublicColumns = "version, updated_at, id, name, integration, tags, created_by, created_at";

    /// <summary><see cref="PublicColumns"/> of <c>connections c</c>, for queries that join it.</summary>
    private const string PublicColumnsOfC = "c.version, c.updated_at, c.id, c.name, c.integration, c.tags, c.created_by, c.created_at";

    /// <summary>How many parsed rows each of <see cref="_parsed"/> and <see cref="_records"/> keeps before it starts over.</summary>
    private const int MaxParsedRows = 10_000;

    /// <summary>GET's public form of rows already parsed (<see cref="ParsedRows{T}"/>: never stale, only saves decoding).</summary>
    private readonly ParsedRows<PublicConnection> _parsed = new(MaxParsedRows);

    /// <summary>Whole records (<see cref="FindAsync"/>) already parsed, reused on the same terms as <see cref="_parsed"/>.</summary>
    private readonly ParsedRows<ConnectionRecord> _records = new(MaxParsedRows);

    public Task InsertAsync(ConnectionRecord connection, AuditEvent? audit, CancellationToken cancellationToken) =>
        AuditedWrites.WriteAsync(db, tx => InsertAsync(tx, connection, cancellationToken), _ => audit, cancellationToken);

    public async Task<bool> InsertAsync(DbTransaction tx, ConnectionRecord connection, CancellationToken cancellationToken)
    {
        await using var command = Bind(tx.Command($"""
            INSERT INTO connections ({Columns})
            VALUES (@id, @org, @name, @itype, @ctype, @integration, @secrets, @tags, @by, @created, @updated, @version, @key, @hosts);
            """), connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    public async Task<ConnectionRecord?> FindAsync(Guid orgId, Guid id, CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken);
        await using var command = conn.Command($"SELECT {Columns} FROM connections WHERE org_id = @org AND id = @id;")
            .With("@org", orgId).With("@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadReusing(reader) : null;
    }

    public async Task<PublicConnection?> FindPublicAsync(Guid orgId, Guid id, CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken);
        await using var command = conn.Command($"SELECT {PublicColumns} FROM connections WHERE org_id = @org AND id = @id;")
            .With("@org", orgId).With("@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadPublic(reader) : null;
    }

    public async Task<(PublicConnection Connection, Access.AccessFacts Facts, Guid? RoleId)?> FindPublicWithFactsAsync(Guid orgId, Guid id, Guid principalId, CancellationToken cancellationToken)
    {
        // One row per binding of the connection's policy (one with NULLs without a policy), each
        // repeating the connection's columns: read them from the first.
        await using var conn = await db.OpenAsync(cancellationToken);
        await using var command = conn.Command($"""
            SELECT {PublicColumnsOfC}, {Access.SqlAccessStore.RoleIdOfPrincipalSql}, b.relation, b.principal_type, b.principal_id
            FROM connections c LEFT JOIN connection_bindings b ON b.connection_id = c.id
            WHERE c.org_id = @org AND c.id = @id
            ORDER BY b.position;
            """).With("@org", orgId).With("@id", id).With("@principal", principalId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var connection = ReadPublic(reader);
        var roleId = reader.IsDBNull(8) ? (Guid?)null : Guid.Parse(reader.GetString(8));
        var bindings = new List<Access.Binding>();
        do
        {
            if (!reader.IsDBNull(9))
            {
                bindings.Add(Access.SqlAccessStore.ReadBinding(reader, 9));
            }
        }
        while (await reader.ReadAsync(cancellationToken));

        return (connection, new Access.AccessFacts(connection.CreatedBy, bindings), roleId);
    }

    public async Task<ConnectionRecord?> UpdateAsync(DbTransaction tx, Guid orgId, Guid id, Func<ConnectionRecord, ConnectionRecord?> change, CancellationToken cancellationToken)
    {
        ConnectionRecord? current;
        await using (var find = tx.Command($"SELECT {Columns} FROM connections WHERE org_id = @org AND id = @id{db.LockRowClause};")
            .With("@org", orgId).With("@id", id))
        {
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            current = await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
        }

        var next = current is null ? null : change(current);
        if (current is null || next is null)
        {
            return null;
        }

        int changed;
        await using (var command = Bind(tx.Command("""
            UPDATE connections SET name = @name, integration_type = @itype, credential_type = @ctype, integration = @integration,
                secrets = @secrets, tags = @tags, updated_at = @updated, version = @version, key_id = @key, secret_hosts = @hosts
            WHERE org_id = @org AND id = @id AND version = @expected;
            """), next).With("@expected", current.Version))
        {
            changed = await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // The row is locked since it was read, so it cannot have changed; the version check stays
        // as a guard that would turn a broken lock into a refused write rather than a lost update.
        if (changed != 1)
        {
            throw new InvalidOperationException($"Connection {id} changed while this transaction held its row lock.");
        }

        return next;
    }

    public async Task<bool> DeleteAsync(DbTransaction tx, Guid orgId, Guid id, CancellationToken cancellationToken)
    {
        await using var command = tx.Command("DELETE FROM connections WHERE org_id = @org AND id = @id;").With("@org", orgId).With("@id", id);
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken) == 1;

        // Forgotten now rather than after the commit: a parsed row is only ever reused at the version it was read at.
        _parsed.Forget(id);
        _records.Forget(id);
        return deleted;
    }

    public async Task<(Page<PublicConnection> Page, long TotalFiltered)> ListAsync(Guid orgId, ConnectionFilter filter, int pageSize, long pageNumber, CancellationToken cancellationToken)
    {
        // Only what the caller may view exists for it: the visibility rule is part of every WHERE, totals included.
        var visible = filter.VisibleTo is null ? string.Empty : $" AND {Access.SqlAccessStore.VisibleConnectionSql}";
        var scope = $"org_id = @org{visible}";
        var where = $"{scope} AND (@pattern IS NULL OR lower(name) LIKE @pattern ESCAPE '\\') AND (@itype IS NULL OR integration_type = @itype)";
        var pattern = Db.ContainsPattern(filter.NameContains);
        await using var conn = await db.OpenAsync(cancellationToken);
        long total, totalFiltered;
        var filtered = pattern is not null || filter.IntegrationType is not null;
        await using (var count = BindViewer(conn.Command(filtered
            ? $"SELECT (SELECT COUNT(*) FROM connections WHERE {scope}), (SELECT COUNT(*) FROM connections WHERE {where});"
            : $"SELECT COUNT(*), COUNT(*) FROM connections WHERE {scope};").With("@org", orgId), filter.VisibleTo))
        {
            if (filtered)
            {
                count.With("@pattern", pattern).With("@itype", filter.IntegrationType);
            }

            (total, totalFiltered) = await count.ReadTotalsAsync(cancellationToken);
        }

        var items = new List<PublicConnection>();
        await using (var command = BindViewer(conn.Command($"SELECT {PublicColumns} FROM connections WHERE {where} ORDER BY name, id LIMIT @limit OFFSET @offset;")
            .With("@org", orgId).With("@pattern", pattern).With("@itype", filter.IntegrationType)
            .With("@limit", (long)pageSize).With("@offset", pageNumber * pageSize), filter.VisibleTo))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(ReadPublic(reader));
            }
        }

        return (new Page<PublicConnection>(items, total), totalFiltered);
    }

    public async Task<IReadOnlyList<string>> KeyIdsInUseAsync(CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken);
        await using var command = conn.Command("SELECT DISTINCT key_id FROM connections WHERE key_id IS NOT NULL ORDER BY key_id;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async Task<long> CountNotUnderKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken);
        await using var command = conn.Command("SELECT COUNT(*) FROM connections WHERE key_id IS NOT NULL AND key_id <> @key;").With("@key", keyId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<(Guid OrgId, Guid Id)>> ListNotUnderKeyAsync(string keyId, int limit, CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken);
        await using var command = conn.Command("SELECT org_id, id FROM connections WHERE key_id IS NOT NULL AND key_id <> @key ORDER BY id LIMIT @limit;")
            .With("@key", keyId).With("@limit", (long)limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(Guid, Guid)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetGuid("org_id"), reader.GetGuid("id")));
        }

        return rows;
    }

    private static DbCommand BindViewer(DbCommand command, ConnectionViewer? viewer) =>
        viewer is null ? command : command.With("@vis_principal", viewer.PrincipalId).With("@vis_role", viewer.RoleId);

    private static DbCommand Bind(DbCommand command, ConnectionRecord c) => command
        .With("@id", c.Id).With("@org", c.OrgId).With("@name", c.Name)
        .With("@itype", c.Integration.Type).With("@ctype", c.Integration.AnyCredentials.Type)
        .With("@integration", JsonSerializer.Serialize(c.Integration, AppJson.Context.Integration))
        .With("@secrets", JsonSerializer.Serialize(new Dictionary<string, string>(c.SealedSecrets, StringComparer.Ordinal), AppJson.Context.DictionaryStringString))
        .With("@tags", c.Tags is null ? null : JsonSerializer.Serialize([.. c.Tags], AppJson.Context.ListString))
        .With("@by", c.CreatedBy).With("@created", c.CreatedAt).With("@updated", c.UpdatedAt).With("@version", c.Version).With("@key", c.KeyId)
        .With("@hosts", c.SecretHosts.Count == 0 ? null : JsonSerializer.Serialize(new Dictionary<string, string>(c.SecretHosts, StringComparer.Ordinal), AppJson.Context.DictionaryStringString));

    /// <summary>Reads a row of <see cref="Columns"/> by position, in their order.</summary>
    private static ConnectionRecord Read(DbDataReader r) => new ConnectionRecord(
        Guid.Parse(r.GetString(0)),
        Guid.Parse(r.GetString(1)),
        r.GetString(2),
        JsonSerializer.Deserialize(r.GetString(5), AppJson.Context.Integration) ?? throw new InvalidDataException("Stored integration is null."),
        JsonSerializer.Deserialize(r.GetString(6), AppJson.Context.DictionaryStringString) ?? [],
        r.IsDBNull(7) ? null : JsonSerializer.Deserialize(r.GetString(7), AppJson.Context.ListString),
        Guid.Parse(r.GetString(8)),
        Db.FromMicros(r.GetInt64(9)),
        Db.FromMicros(r.GetInt64(10)),
        r.GetInt64(11),
        r.IsDBNull(12) ? null : r.GetString(12))
    {
        SecretHosts = r.IsDBNull(13) ? EmptyHosts : JsonSerializer.Deserialize(r.GetString(13), AppJson.Context.DictionaryStringString) ?? EmptyHosts,
    };

    private static readonly Dictionary<string, string> EmptyHosts = [];

    /// <summary>
    /// <see cref="Read"/>, or the record this process already parsed at the row's version and
    /// update time (a use reads the whole row on every call). Like <see cref="_parsed"/> it only
    /// saves decoding: the row is still queried, so a write by any process is seen at once. The
    /// record holds the secrets as stored (ciphertext), never decrypted.
    /// </summary>
    private ConnectionRecord ReadReusing(DbDataReader r)
    {
        var id = Guid.Parse(r.GetString(0));
        var updatedAt = r.GetInt64(10);
        var version = r.GetInt64(11);
        if (_records.TryGet(id, version, updatedAt, out var known))
        {
            return known;
        }

        var record = Read(r);
        _records.Add(id, version, updatedAt, record);
        return record;
    }

    /// <summary>Reads a row of <see cref="PublicColumns"/> by position, or reuses its parsed form at the same version.</summary>
    private PublicConnection ReadPublic(DbDataReader r)
    {
        var version = r.GetInt64(0);
        var updatedAt = r.GetInt64(1);
        var id = Guid.Parse(r.GetString(2));
        if (_parsed.TryGet(id, version, updatedAt, out var known))
        {
            return known;
        }

        var connection = new PublicConnection(
            id,
            r.GetString(3),
            JsonSerializer.Deserialize(r.GetString(4), AppJson.Context.Integration) ?? throw new InvalidDataException("Stored integration is null."),
            r.IsDBNull(5) ? null : JsonSerializer.Deserialize(r.GetString(5), AppJson.Context.ListString),
            Guid.Parse(r.GetString(6)),
            Db.FromMicros(r.GetInt64(7)),
            Db.FromMicros(updatedAt));
        _parsed.Add(id, version, updatedAt, connection);
        return connection;
    }
}
