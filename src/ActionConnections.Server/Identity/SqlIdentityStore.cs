using System.Data.Common;
using System.Text.Json;
using ActionConnections.Auth;
using ActionConnections.Json;
using ActionConnections.Storage;

namespace ActionConnections.Identity;

internal sealed class SqlIdentityStore(IDatabase db, TimeProvider time) : IIdentityStore
{
    private const string ApiKeyColumns = "id, org_id, name, last4, category, remote_config_read_enabled, created_by, modified_by, created_at, modified_at";
    private const string AppKeyColumns = "id, org_id, owner_id, name, last4, scopes, created_at";
    private const string PrincipalColumns = "id, org_id, kind, name, email, role, disabled, created_at";

    public async Task<bool> HasAnyOrganizationAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT COUNT(*) FROM orgs;");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public Task<NewOrganization> CreateOrganizationAsync(string name, string adminName, string? apiKey, string? appKey, CancellationToken cancellationToken) =>
        db.WriteAsync(tx => CreateOrganizationAsync(tx, name, adminName, apiKey, appKey, cancellationToken), cancellationToken);

    public async Task<NewOrganization> CreateOrganizationAsync(DbTransaction tx, string name, string adminName, string? apiKey, string? appKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var org = new Organization(Guid.NewGuid(), name, now);
        var admin = new Principal(Guid.NewGuid(), org.Id, PrincipalKind.User, adminName, null, Role.Admin, false, now);
        await using (var insert = tx.Command("INSERT INTO orgs (id, name, created_at) VALUES (@id, @name, @at);")
            .With("@id", org.Id).With("@name", org.Name).With("@at", now))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertManagedRolesAsync(tx.Connection!, tx, org.Id, now, cancellationToken);
        await InsertPrincipalAsync(tx, admin, cancellationToken);
        var newApiKey = await InsertApiKeyAsync(tx, org.Id, admin.Id, "Default API key", "default", true, apiKey ?? KeyMaterial.NewApiKey(), now, cancellationToken);
        var newAppKey = await InsertAppKeyAsync(tx, org.Id, admin.Id, "Default application key", null, appKey ?? KeyMaterial.NewAppKey(), now, cancellationToken);
        return new NewOrganization(org, admin, newApiKey, newAppKey);
    }

    public async Task<IReadOnlyList<Organization>> ListOrganizationsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT id, name, created_at FROM orgs ORDER BY created_at, id;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var orgs = new List<Organization>();
        while (await reader.ReadAsync(cancellationToken))
        {
            orgs.Add(new Organization(reader.GetGuid("id"), reader.Text("name"), reader.Time("created_at")));
        }

        return orgs;
    }

    public async Task<Organization?> FindOrganizationAsync(Guid orgId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT id, name, created_at FROM orgs WHERE id = @id;").With("@id", orgId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new Organization(reader.GetGuid("id"), reader.Text("name"), reader.Time("created_at")) : null;
    }

    public Task<Principal> CreatePrincipalAsync(Guid orgId, PrincipalKind kind, string name, string? email, Role role, CancellationToken cancellationToken) =>
        db.WriteAsync(tx => CreatePrincipalAsync(tx, orgId, kind, name, email, role, cancellationToken), cancellationToken);

    public async Task<Principal> CreatePrincipalAsync(DbTransaction tx, Guid orgId, PrincipalKind kind, string name, string? email, Role role, CancellationToken cancellationToken)
    {
        var principal = new Principal(Guid.NewGuid(), orgId, kind, name, email, role, false, time.GetUtcNow());
        await InsertPrincipalAsync(tx, principal, cancellationToken);
        return principal;
    }

    public async Task<IReadOnlyList<Principal>> ListPrincipalsAsync(Guid orgId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {PrincipalColumns} FROM principals WHERE org_id = @org ORDER BY created_at, id;").With("@org", orgId);
        return await ReadAllAsync(command, ReadPrincipal, cancellationToken);
    }

    public async Task<Principal?> FindPrincipalAsync(Guid orgId, Guid principalId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {PrincipalColumns} FROM principals WHERE org_id = @org AND id = @id;").With("@org", orgId).With("@id", principalId);
        return (await ReadAllAsync(command, ReadPrincipal, cancellationToken)).SingleOrDefault();
    }

    public Task<bool> DisablePrincipalAsync(Guid orgId, Guid principalId, CancellationToken cancellationToken) =>
        db.WriteAsync(tx => DisablePrincipalAsync(tx, orgId, principalId, cancellationToken), cancellationToken);

    public async Task<bool> DisablePrincipalAsync(DbTransaction tx, Guid orgId, Guid principalId, CancellationToken cancellationToken)
    {
        await using var command = tx.Command("UPDATE principals SET disabled = 1 WHERE org_id = @org AND id = @id;").With("@org", orgId).With("@id", principalId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public Task<NewKey<ApiKeyRecord>> CreateApiKeyAsync(Guid orgId, Guid createdBy, string name, string category, bool remoteConfigReadEnabled, CancellationToken cancellationToken) =>
        db.WriteAsync(tx => CreateApiKeyAsync(tx, orgId, createdBy, name, category, remoteConfigReadEnabled, cancellationToken), cancellationToken);

    public Task<NewKey<ApiKeyRecord>> CreateApiKeyAsync(DbTransaction tx, Guid orgId, Guid createdBy, string name, string category, bool remoteConfigReadEnabled, CancellationToken cancellationToken) =>
        InsertApiKeyAsync(tx, orgId, createdBy, name, category, remoteConfigReadEnabled, KeyMaterial.NewApiKey(), time.GetUtcNow(), cancellationToken);

    public async Task<NewKey<ApiKeyRecord>?> TryCreateApiKeyAsync(DbTransaction tx, Guid orgId, Guid createdBy, string name, string category, bool remoteConfigReadEnabled, int maxKeys, CancellationToken cancellationToken) =>
        await CountLockedAsync(tx, "orgs", orgId, "SELECT COUNT(*) FROM api_keys WHERE org_id = @id;", cancellationToken) >= maxKeys
            ? null
            : await CreateApiKeyAsync(tx, orgId, createdBy, name, category, remoteConfigReadEnabled, cancellationToken);

    public async Task<ApiKeyRecord?> FindApiKeyAsync(Guid orgId, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {ApiKeyColumns} FROM api_keys WHERE org_id = @org AND id = @id;").With("@org", orgId).With("@id", id);
        return (await ReadAllAsync(command, ReadApiKey, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(Guid orgId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {ApiKeyColumns} FROM api_keys WHERE org_id = @org ORDER BY created_at, id;").With("@org", orgId);
        return await ReadAllAsync(command, ReadApiKey, cancellationToken);
    }

    public async Task<ApiKeyRecord?> UpdateApiKeyAsync(DbTransaction tx, Guid orgId, Guid id, Guid modifiedBy, string name, string? category, bool? remoteConfigReadEnabled, CancellationToken cancellationToken)
    {
        var update = tx.Command("""
            UPDATE api_keys SET name = @name,
                category = COALESCE(@category, category),
                remote_config_read_enabled = COALESCE(@rce, remote_config_read_enabled),
                modified_by = @by, modified_at = @at
            WHERE org_id = @org AND id = @id;
            """).With("@name", name).With("@category", category).With("@rce", remoteConfigReadEnabled)
            .With("@by", modifiedBy).With("@at", time.GetUtcNow()).With("@org", orgId).With("@id", id);
        return await UpdatedKeyAsync(tx, update, "api_keys", ApiKeyColumns, ReadApiKey, orgId, id, cancellationToken);
    }

    public Task<bool> DeleteApiKeyAsync(Guid orgId, Guid id, CancellationToken cancellationToken) =>
        db.WriteAsync(tx => DeleteApiKeyAsync(tx, orgId, id, cancellationToken), cancellationToken);

    public async Task<bool> DeleteApiKeyAsync(DbTransaction tx, Guid orgId, Guid id, CancellationToken cancellationToken)
    {
        await using var command = tx.Command("DELETE FROM api_keys WHERE org_id = @org AND id = @id;").With("@org", orgId).With("@id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public Task<NewKey<AppKeyRecord>> CreateAppKeyAsync(Guid orgId, Guid ownerId, string name, IReadOnlyList<string>? scopes, CancellationToken cancellationToken) =>
        db.WriteAsync(tx => CreateAppKeyAsync(tx, orgId, ownerId, name, scopes, cancellationToken), cancellationToken);

    public Task<NewKey<AppKeyRecord>> CreateAppKeyAsync(DbTransaction tx, Guid orgId, Guid ownerId, string name, IReadOnlyList<string>? scopes, CancellationToken cancellationToken) =>
        InsertAppKeyAsync(tx, orgId, ownerId, name, scopes, KeyMaterial.NewAppKey(), time.GetUtcNow(), cancellationToken);

    public async Task<NewKey<AppKeyRecord>?> TryCreateAppKeyAsync(DbTransaction tx, Guid orgId, Guid ownerId, string name, IReadOnlyList<string>? scopes, int maxKeysPerOwner, CancellationToken cancellationToken) =>
        await CountLockedAsync(tx, "principals", ownerId, "SELECT COUNT(*) FROM app_keys WHERE owner_id = @id;", cancellationToken) >= maxKeysPerOwner
            ? null
            : await CreateAppKeyAsync(tx, orgId, ownerId, name, scopes, cancellationToken);

    public async Task<AppKeyRecord?> FindAppKeyAsync(Guid orgId, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {AppKeyColumns} FROM app_keys WHERE org_id = @org AND id = @id;").With("@org", orgId).With("@id", id);
        return (await ReadAllAsync(command, ReadAppKey, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// Runs <paramref name="update"/> of one key row, then reads the row back in the same
    /// transaction; null when the key is not in the organisation.
    /// </summary>
    private static async Task<T?> UpdatedKeyAsync<T>(
        DbTransaction tx, DbCommand update, string table, string columns, Func<DbDataReader, T> read, Guid orgId, Guid id, CancellationToken cancellationToken)
        where T : class
    {
        await using (update)
        {
            if (await update.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                return null;
            }
        }

        await using var select = tx.Command($"SELECT {columns} FROM {table} WHERE org_id = @org AND id = @id;").With("@org", orgId).With("@id", id);
        return (await ReadAllAsync(select, read, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<AppKeyRecord>> ListAppKeysAsync(Guid orgId, Guid? ownerId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {AppKeyColumns} FROM app_keys WHERE org_id = @org AND (@owner IS NULL OR owner_id = @owner) ORDER BY created_at, id;")
            .With("@org", orgId).With("@owner", ownerId);
        return await ReadAllAsync(command, ReadAppKey, cancellationToken);
    }

    public async Task<AppKeyRecord?> UpdateAppKeyAsync(DbTransaction tx, Guid orgId, Guid id, string? name, bool setScopes, IReadOnlyList<string>? scopes, CancellationToken cancellationToken)
    {
        var update = tx.Command("""
            UPDATE app_keys SET name = COALESCE(@name, name),
                scopes = CASE WHEN @set = 1 THEN @scopes ELSE scopes END
            WHERE org_id = @org AND id = @id;
            """).With("@name", name).With("@set", setScopes).With("@scopes", ScopesToJson(scopes)).With("@org", orgId).With("@id", id);
        return await UpdatedKeyAsync(tx, update, "app_keys", AppKeyColumns, ReadAppKey, orgId, id, cancellationToken);
    }

    public Task<bool> DeleteAppKeyAsync(Guid orgId, Guid id, CancellationToken cancellationToken) =>
        db.WriteAsync(tx => DeleteAppKeyAsync(tx, orgId, id, cancellationToken), cancellationToken);

    public async Task<bool> DeleteAppKeyAsync(DbTransaction tx, Guid orgId, Guid id, CancellationToken cancellationToken)
    {
        await using (var registration = tx.Command("DELETE FROM app_key_registrations WHERE org_id = @org AND app_key_id = @id;").With("@org", orgId).With("@id", id))
        {
            await registration.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = tx.Command("DELETE FROM app_keys WHERE org_id = @org AND id = @id;").With("@org", orgId).With("@id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<(Guid OrgId, Guid ApiKeyId)?> FindApiKeyOwnerAsync(string apiKey, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT org_id, id FROM api_keys WHERE key_hash = @hash;").With("@hash", KeyMaterial.Hash(apiKey));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetGuid("org_id"), reader.GetGuid("id")) : null;
    }

    public async Task<Caller?> AuthenticateAsync(string apiKey, string appKey, CancellationToken cancellationToken)
    {
        var apiHash = KeyMaterial.Hash(apiKey);
        var appHash = KeyMaterial.Hash(appKey);
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT CAST('api' AS TEXT) AS kind, k.id, k.org_id, k.key_hash, CAST(NULL AS TEXT) AS owner_id, CAST(NULL AS TEXT) AS owner_kind,
                CAST(NULL AS TEXT) AS role, CAST(0 AS BIGINT) AS disabled, CAST(NULL AS TEXT) AS scopes, CAST(0 AS BIGINT) AS registered
            FROM api_keys k WHERE k.key_hash = @api
            UNION ALL
            SELECT 'app', a.id, a.org_id, a.key_hash, a.owner_id, p.kind, p.role, p.disabled, a.scopes,
                CAST(CASE WHEN r.app_key_id IS NULL THEN 0 ELSE 1 END AS BIGINT)
            FROM app_keys a JOIN principals p ON p.id = a.owner_id
            LEFT JOIN app_key_registrations r ON r.app_key_id = a.id
            WHERE a.key_hash = @app;
            """).With("@api", apiHash).With("@app", appHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        Guid? apiKeyId = null, apiOrg = null, appKeyId = null, appOrg = null, ownerId = null;
        PrincipalKind ownerKind = default;
        Role role = default;
        var disabled = true;
        var registered = false;
        IReadOnlyList<string>? scopes = null;
        var hashesMatch = true;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.Text("kind") == "api")
            {
                hashesMatch &= KeyMaterial.HashesEqual(reader.Text("key_hash"), apiHash);
                apiKeyId = reader.GetGuid("id");
                apiOrg = reader.GetGuid("org_id");
            }
            else
            {
                hashesMatch &= KeyMaterial.HashesEqual(reader.Text("key_hash"), appHash);
                appKeyId = reader.GetGuid("id");
                appOrg = reader.GetGuid("org_id");
                ownerId = reader.GetGuid("owner_id");
                ownerKind = ParseKind(reader.Text("owner_kind"));
                role = ParseRole(reader.Text("role"));
                disabled = reader.Bool("disabled");
                scopes = ScopesFromJson(reader.NullableText("scopes"));
                registered = reader.Bool("registered");
            }
        }

        if (!hashesMatch || apiKeyId is null || appKeyId is null || apiOrg is null || apiOrg != appOrg || disabled)
        {
            return null;
        }

        var permissions = Roles.PermissionsOf(role) & Permissions.FromScopes(scopes);
        return new Caller(apiOrg.Value, apiKeyId.Value, appKeyId.Value, ownerId!.Value, ownerKind, permissions, registered);
    }

    public async Task<Caller?> FindCallerAsync(Guid apiKeyId, Guid appKeyId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT k.org_id AS api_org, a.org_id AS app_org, a.owner_id, p.kind AS owner_kind, p.role, p.disabled, a.scopes,
                CAST(CASE WHEN r.app_key_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS registered
            FROM app_keys a JOIN principals p ON p.id = a.owner_id
            LEFT JOIN app_key_registrations r ON r.app_key_id = a.id
            CROSS JOIN api_keys k
            WHERE k.id = @api AND a.id = @app;
            """).With("@api", apiKeyId).With("@app", appKeyId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var org = reader.GetGuid("api_org");
        if (org != reader.GetGuid("app_org") || reader.Bool("disabled"))
        {
            return null;
        }

        var permissions = Roles.PermissionsOf(ParseRole(reader.Text("role"))) & Permissions.FromScopes(ScopesFromJson(reader.NullableText("scopes")));
        return new Caller(org, apiKeyId, appKeyId, reader.GetGuid("owner_id"), ParseKind(reader.Text("owner_kind")), permissions, reader.Bool("registered"));
    }

    private static async Task InsertPrincipalAsync(DbTransaction tx, Principal principal, CancellationToken cancellationToken)
    {
        await using var command = tx.Command($"INSERT INTO principals ({PrincipalColumns}) VALUES (@id, @org, @kind, @name, @email, @role, @disabled, @at);")
            .With("@id", principal.Id).With("@org", principal.OrgId).With("@kind", KindToText(principal.Kind)).With("@name", principal.Name)
            .With("@email", principal.Email).With("@role", principal.Role.ToWire()).With("@disabled", principal.Disabled).With("@at", principal.CreatedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Locks the row <paramref name="id"/> of <paramref name="lockTable"/> (the parent the cap is
    /// counted under) for the rest of the write transaction, then counts: creates under one parent
    /// queue on that lock, so a count and the insert after it are one step and a cap cannot be
    /// overshot by concurrent creates (issue 11, item 5). SQLite's write transaction already
    /// excludes every other writer; PostgreSQL's READ COMMITTED needs the row lock.
    /// </summary>
    private async Task<long> CountLockedAsync(DbTransaction tx, string lockTable, Guid id, string countSql, CancellationToken cancellationToken)
    {
        await using (var lockRow = tx.Command($"SELECT id FROM {lockTable} WHERE id = @id{db.LockRowClause};").With("@id", id))
        {
            await lockRow.ExecuteScalarAsync(cancellationToken);
        }

        await using var count = tx.Command(countSql).With("@id", id);
        return Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<NewKey<ApiKeyRecord>> InsertApiKeyAsync(DbTransaction tx, Guid orgId, Guid createdBy, string name, string category, bool rce, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = new ApiKeyRecord(Guid.NewGuid(), orgId, name, KeyMaterial.Last4(key), category, rce, createdBy, null, now, now);
        await using var command = tx.Command($"INSERT INTO api_keys ({ApiKeyColumns}, key_hash) VALUES (@id, @org, @name, @last4, @category, @rce, @by, NULL, @at, @at, @hash);")
            .With("@id", record.Id).With("@org", orgId).With("@name", name).With("@last4", record.Last4).With("@category", category)
            .With("@rce", rce).With("@by", createdBy).With("@at", now).With("@hash", KeyMaterial.Hash(key));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new NewKey<ApiKeyRecord>(record, key);
    }

    private static async Task<NewKey<AppKeyRecord>> InsertAppKeyAsync(DbTransaction tx, Guid orgId, Guid ownerId, string name, IReadOnlyList<string>? scopes, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = new AppKeyRecord(Guid.NewGuid(), orgId, ownerId, name, KeyMaterial.Last4(key), scopes, now);
        await using var command = tx.Command($"INSERT INTO app_keys ({AppKeyColumns}, key_hash) VALUES (@id, @org, @owner, @name, @last4, @scopes, @at, @hash);")
            .With("@id", record.Id).With("@org", orgId).With("@owner", ownerId).With("@name", name).With("@last4", record.Last4)
            .With("@scopes", ScopesToJson(scopes)).With("@at", now).With("@hash", KeyMaterial.Hash(key));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new NewKey<AppKeyRecord>(record, key);
    }

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var items = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(read(reader));
        }

        return items;
    }

    private static Principal ReadPrincipal(DbDataReader r) => new(
        r.GetGuid("id"), r.GetGuid("org_id"), ParseKind(r.Text("kind")), r.Text("name"), r.NullableText("email"),
        ParseRole(r.Text("role")), r.Bool("disabled"), r.Time("created_at"));

    private static ApiKeyRecord ReadApiKey(DbDataReader r) => new(
        r.GetGuid("id"), r.GetGuid("org_id"), r.Text("name"), r.Text("last4"), r.Text("category"), r.Bool("remote_config_read_enabled"),
        r.GetGuid("created_by"), r.GetNullableGuid("modified_by"), r.Time("created_at"), r.Time("modified_at"));

    private static AppKeyRecord ReadAppKey(DbDataReader r) => new(
        r.GetGuid("id"), r.GetGuid("org_id"), r.GetGuid("owner_id"), r.Text("name"), r.Text("last4"),
        ScopesFromJson(r.NullableText("scopes")), r.Time("created_at"));

    private static string KindToText(PrincipalKind kind) => kind == PrincipalKind.ServiceAccount ? "service_account" : "user";

    private static PrincipalKind ParseKind(string text) => text == "service_account" ? PrincipalKind.ServiceAccount : PrincipalKind.User;

    private static Role ParseRole(string text) => Roles.TryParse(text, out var role) ? role : throw new InvalidDataException($"Unknown role '{text}' in the store.");

    private static string? ScopesToJson(IReadOnlyList<string>? scopes) =>
        scopes is null ? null : JsonSerializer.Serialize([.. scopes], AppJson.Context.ListString);

    private static List<string>? ScopesFromJson(string? json) =>
        json is null ? null : JsonSerializer.Deserialize(json, AppJson.Context.ListString);

    /// <summary>Creates the three managed roles of a new organisation, in its creation transaction.</summary>
    private static async Task InsertManagedRolesAsync(DbConnection connection, DbTransaction tx, Guid orgId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var role in new[] { Role.Admin, Role.Standard, Role.ReadOnly })
        {
            await using var command = connection.Command("INSERT INTO roles (id, org_id, role_key, name, created_at) VALUES (@id, @org, @key, @name, @at);", tx)
                .With("@id", Guid.NewGuid()).With("@org", orgId).With("@key", role.ToWire()).With("@name", role.DisplayName()).With("@at", now);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
