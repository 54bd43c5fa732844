using System.Data.Common;
using System.Globalization;
using System.Text;
using ActionConnections.Auth;
using ActionConnections.Identity;
using ActionConnections.Storage;

namespace ActionConnections.Access;

/// <summary>
/// Roles (table <c>roles</c>: each organisation's three managed roles with ids that never
/// change) and connection bindings (table <c>connection_bindings</c>, one row per principal of a
/// binding, deleted with their connection by the foreign key).
/// </summary>
internal sealed class SqlAccessStore(IDatabase db) : IAccessStore
{
    /// <summary>
    /// The list extension's visibility rule as SQL over a row of <c>connections</c>, so lists
    /// filter (and count) before paging: no policy (everyone in the organisation views), or a
    /// binding naming the caller, the caller's role or the organisation. Parameters:
    /// <c>@org</c>, <c>@vis_principal</c>, <c>@vis_role</c>.
    /// </summary>
    public const string VisibleConnectionSql = """
        (NOT EXISTS (SELECT 1 FROM connection_bindings vb WHERE vb.connection_id = connections.id)
         OR EXISTS (SELECT 1 FROM connection_bindings vb WHERE vb.connection_id = connections.id
            AND ((vb.principal_type = 'user' AND vb.principal_id = @vis_principal)
              OR (vb.principal_type = 'role' AND vb.principal_id = @vis_role)
              OR (vb.principal_type = 'org' AND vb.principal_id = @org))))
        """;

    /// <summary>The role id of principal <c>@principal</c> in <c>@org</c>, as a scalar subquery.</summary>
    internal const string RoleIdOfPrincipalSql =
        "(SELECT r.id FROM principals p JOIN roles r ON r.org_id = p.org_id AND r.role_key = p.role WHERE p.org_id = @org AND p.id = @principal)";

    public async Task<(AccessFacts Facts, Guid? RoleId)?> FindFactsAsync(Guid orgId, Guid connectionId, Guid principalId, CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken);
        await using var command = conn.Command($"""
            SELECT c.created_by, {RoleIdOfPrincipalSql}, b.relation, b.principal_type, b.principal_id
            FROM connections c LEFT JOIN connection_bindings b ON b.connection_id = c.id
            WHERE c.org_id = @org AND c.id = @id
            ORDER BY b.position;
            """).With("@org", orgId).With("@id", connectionId).With("@principal", principalId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        Guid? createdBy = null;
        Guid? roleId = null;
        var bindings = new List<Binding>();
        while (await reader.ReadAsync(cancellationToken))
        {
            createdBy = Guid.Parse(reader.GetString(0));
            roleId = reader.IsDBNull(1) ? null : Guid.Parse(reader.GetString(1));
            if (!reader.IsDBNull(2))
            {
                bindings.Add(ReadBinding(reader, 2));
            }
        }

        return createdBy is { } author ? (new AccessFacts(author, bindings), roleId) : null;
    }

    public async Task<Guid?> RoleIdOfAsync(Guid orgId, Guid principalId, CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken);
        await using var command = conn.Command($"SELECT {RoleIdOfPrincipalSql};").With("@org", orgId).With("@principal", principalId);
        return await command.ExecuteScalarAsync(cancellationToken) is string id ? Guid.Parse(id) : null;
    }

    public async Task<IReadOnlyDictionary<Guid, List<Binding>>> BindingsOfAsync(Guid orgId, IReadOnlyCollection<Guid> connectionIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<Guid, List<Binding>>();
        if (connectionIds.Count == 0)
        {
            return result;
        }

        var ids = connectionIds.ToList();
        await using var conn = await db.OpenAsync(cancellationToken);
        await using var command = BindList(conn.Command($"""
            SELECT connection_id, relation, principal_type, principal_id FROM connection_bindings
            WHERE org_id = @org AND connection_id IN ({ListParameters(ids.Count)}) ORDER BY connection_id, position;
            """), ids).With("@org", orgId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = Guid.Parse(reader.GetString(0));
            if (!result.TryGetValue(id, out var list))
            {
                result[id] = list = [];
            }

            list.Add(ReadBinding(reader, 1));
        }

        return result;
    }

    public async Task<bool> ReplaceBindingsAsync(DbTransaction tx, Guid orgId, Guid connectionId, IReadOnlyList<Binding> bindings, CancellationToken cancellationToken)
    {
        // A write to the connection's row locks it (PostgreSQL; SQLite's write transaction holds
        // the database), so a concurrent DELETE of the connection cannot slip in between the
        // check and the inserts and leave bindings of a connection that is gone.
        await using (var lockRow = tx.Command("UPDATE connections SET version = version WHERE org_id = @org AND id = @id;").With("@org", orgId).With("@id", connectionId))
        {
            if (await lockRow.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return false;
            }
        }

        await using (var delete = tx.Command("DELETE FROM connection_bindings WHERE connection_id = @id;").With("@id", connectionId))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        for (var position = 0; position < bindings.Count; position++)
        {
            var binding = bindings[position];
            await using var insert = tx.Command("""
                INSERT INTO connection_bindings (connection_id, org_id, position, relation, principal_type, principal_id)
                VALUES (@id, @org, @position, @relation, @ptype, @pid);
                """).With("@id", connectionId).With("@org", orgId).With("@position", (long)position)
                .With("@relation", binding.Relation.ToWire()).With("@ptype", binding.Principal.TypeText).With("@pid", binding.Principal.Id);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return true;
    }

    public Task<IReadOnlySet<Guid>> ExistingPrincipalsAsync(Guid orgId, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) =>
        ExistingAsync("principals", orgId, ids, cancellationToken);

    public Task<IReadOnlySet<Guid>> ExistingRolesAsync(Guid orgId, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) =>
        ExistingAsync("roles", orgId, ids, cancellationToken);

    public async Task<(Page<RoleRow> Page, long TotalFiltered)> ListRolesAsync(Guid orgId, RoleQuery query, CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken);
        var pattern = Db.ContainsPattern(query.NameContains);
        var where = new StringBuilder("r.org_id = @org AND (@pattern IS NULL OR lower(r.name) LIKE @pattern ESCAPE '\\')");
        if (query.Ids is { } ids)
        {
            where.Append(ids.Count == 0 ? " AND 1 = 0" : $" AND r.id IN ({ListParameters(ids.Count)})");
        }

        long total, totalFiltered;
        await using (var count = BindRoleFilter(conn.Command($"SELECT (SELECT COUNT(*) FROM roles WHERE org_id = @org), (SELECT COUNT(*) FROM roles r WHERE {where});"), orgId, pattern, query.Ids))
        {
            (total, totalFiltered) = await count.ReadTotalsAsync(cancellationToken);
        }

        var order = query.SortColumn switch
        {
            "user_count" => "user_count",
            "modified_at" => "r.created_at",
            _ => "r.name",
        };
        var direction = query.Descending ? "DESC" : "ASC";
        var rows = new List<RoleRow>();
        await using (var command = BindRoleFilter(conn.Command($"""
            SELECT r.id, r.role_key, r.name, r.created_at,
                (SELECT COUNT(*) FROM principals p WHERE p.org_id = r.org_id AND p.role = r.role_key AND p.disabled = 0) AS user_count
            FROM roles r WHERE {where}
            ORDER BY {order} {direction}, r.id {direction} LIMIT @limit OFFSET @offset;
            """), orgId, pattern, query.Ids).With("@limit", (long)query.PageSize).With("@offset", query.PageNumber * query.PageSize))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new RoleRow(
                    Guid.Parse(reader.GetString(0)),
                    Roles.TryParse(reader.GetString(1), out var role) ? role : throw new InvalidDataException("Unknown role key in the store."),
                    reader.GetString(2),
                    Db.FromMicros(reader.GetInt64(3)),
                    reader.GetInt64(4)));
            }
        }

        return (new Page<RoleRow>(rows, total), totalFiltered);
    }

    public async Task<(Page<UserRow> Page, long TotalFiltered)> ListUsersAsync(Guid orgId, UserQuery query, CancellationToken cancellationToken)
    {
        await using var conn = await db.OpenAsync(cancellationToken);
        var pattern = Db.ContainsPattern(query.Contains);
        var where = new StringBuilder("p.org_id = @org AND (@pattern IS NULL OR lower(p.name) LIKE @pattern ESCAPE '\\' OR lower(COALESCE(p.email, '')) LIKE @pattern ESCAPE '\\')");
        if (query.Disabled is { } statuses)
        {
            where.Append(statuses.Count == 0 ? " AND 1 = 0" : $" AND p.disabled IN ({string.Join(", ", statuses.Distinct().Select(d => d ? "1" : "0"))})");
        }

        long total, totalFiltered;
        await using (var count = conn.Command($"SELECT (SELECT COUNT(*) FROM principals WHERE org_id = @org), (SELECT COUNT(*) FROM principals p WHERE {where});")
            .With("@org", orgId).With("@pattern", pattern))
        {
            (total, totalFiltered) = await count.ReadTotalsAsync(cancellationToken);
        }

        var order = query.SortColumn switch
        {
            "email" => "COALESCE(p.email, '')",
            "modified_at" => "p.created_at",
            "status" => "p.disabled",
            _ => "p.name",
        };
        var direction = query.Descending ? "DESC" : "ASC";
        var rows = new List<UserRow>();
        await using (var command = conn.Command($"""
            SELECT p.id, p.org_id, p.kind, p.name, p.email, p.role, p.disabled, p.created_at, r.id AS role_id
            FROM principals p JOIN roles r ON r.org_id = p.org_id AND r.role_key = p.role
            WHERE {where}
            ORDER BY {order} {direction}, p.id {direction} LIMIT @limit OFFSET @offset;
            """).With("@org", orgId).With("@pattern", pattern).With("@limit", (long)query.PageSize).With("@offset", query.PageNumber * query.PageSize))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var principal = new Principal(
                    reader.GetGuid("id"),
                    reader.GetGuid("org_id"),
                    reader.Text("kind") == "service_account" ? PrincipalKind.ServiceAccount : PrincipalKind.User,
                    reader.Text("name"),
                    reader.NullableText("email"),
                    Roles.TryParse(reader.Text("role"), out var role) ? role : throw new InvalidDataException("Unknown role in the store."),
                    reader.Bool("disabled"),
                    reader.Time("created_at"));
                rows.Add(new UserRow(principal, reader.GetGuid("role_id")));
            }
        }

        return (new Page<UserRow>(rows, total), totalFiltered);
    }

    private async Task<IReadOnlySet<Guid>> ExistingAsync(string table, Guid orgId, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        var found = new HashSet<Guid>();
        if (ids.Count == 0)
        {
            return found;
        }

        var list = ids.ToList();
        await using var conn = await db.OpenAsync(cancellationToken);
        await using var command = BindList(conn.Command($"SELECT id FROM {table} WHERE org_id = @org AND id IN ({ListParameters(list.Count)});"), list).With("@org", orgId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(Guid.Parse(reader.GetString(0)));
        }

        return found;
    }

    /// <summary><c>@i0, @i1, …</c>: one parameter per id of an <c>IN</c> list.</summary>
    private static string ListParameters(int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"@i{i}")));

    private static DbCommand BindList(DbCommand command, IReadOnlyList<Guid> ids)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            command.With(string.Create(CultureInfo.InvariantCulture, $"@i{i}"), ids[i]);
        }

        return command;
    }

    private static DbCommand BindRoleFilter(DbCommand command, Guid orgId, string? pattern, IReadOnlyList<Guid>? ids)
    {
        command.With("@org", orgId).With("@pattern", pattern);
        return ids is null ? command : BindList(command, ids);
    }

    /// <summary>A binding from the columns relation, principal_type, principal_id starting at <paramref name="first"/>.</summary>
    internal static Binding ReadBinding(DbDataReader reader, int first) => new(
        Relations.TryParse(reader.GetString(first), out var relation) ? relation : throw new InvalidDataException("Unknown relation in the store."),
        new PrincipalRef(PrincipalRef.ParseType(reader.GetString(first + 1)), Guid.Parse(reader.GetString(first + 2))));
}
