namespace ActionConnections.Storage;

/// <summary>
/// Versioned schema, one entry a change, never edited once released. The SQL is portable
/// between SQLite and PostgreSQL (TEXT ids, BIGINT microsecond times, BLOB/bytea is avoided:
/// hashes are stored as hex text); a migration whose portable SQL does not behave the same on
/// PostgreSQL also has a PostgreSQL text in <see cref="PostgresText"/>, under the same version.
/// </summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<(int Version, string Name, string Sql)> All =
    [
        (1, "identity", """
            CREATE TABLE orgs (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE TABLE principals (
                id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                email TEXT NULL,
                role TEXT NOT NULL,
                disabled BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX principals_org ON principals(org_id, name);
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                name TEXT NOT NULL,
                key_hash TEXT NOT NULL UNIQUE,
                last4 TEXT NOT NULL,
                category TEXT NOT NULL,
                remote_config_read_enabled BIGINT NOT NULL,
                created_by TEXT NOT NULL,
                modified_by TEXT NULL,
                created_at BIGINT NOT NULL,
                modified_at BIGINT NOT NULL
            );
            CREATE INDEX api_keys_org ON api_keys(org_id, name);
            CREATE TABLE app_keys (
                id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                owner_id TEXT NOT NULL REFERENCES principals(id),
                name TEXT NOT NULL,
                key_hash TEXT NOT NULL UNIQUE,
                last4 TEXT NOT NULL,
                scopes TEXT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX app_keys_org ON app_keys(org_id, name);
            CREATE INDEX app_keys_owner ON app_keys(owner_id);
            CREATE TABLE app_key_registrations (
                app_key_id TEXT PRIMARY KEY REFERENCES app_keys(id) ON DELETE CASCADE,
                org_id TEXT NOT NULL,
                registered_by TEXT NOT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX app_key_registrations_org ON app_key_registrations(org_id, created_at, app_key_id);
            """),
        (2, "connections", """
            CREATE TABLE connections (
                id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                name TEXT NOT NULL,
                integration_type TEXT NOT NULL,
                credential_type TEXT NOT NULL,
                integration TEXT NOT NULL,
                secrets TEXT NOT NULL,
                tags TEXT NULL,
                created_by TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version BIGINT NOT NULL
            );
            CREATE INDEX connections_org_name ON connections(org_id, name, id);
            CREATE INDEX connections_org_type ON connections(org_id, integration_type, name, id);
            """),
        (3, "audit", """
            CREATE TABLE audit_events (
                id TEXT PRIMARY KEY,
                org_id TEXT NULL,
                at BIGINT NOT NULL,
                action TEXT NOT NULL,
                outcome TEXT NOT NULL,
                status BIGINT NULL,
                principal_id TEXT NULL,
                api_key_id TEXT NULL,
                app_key_id TEXT NULL,
                target_type TEXT NULL,
                target_id TEXT NULL,
                request_id TEXT NULL,
                client_address TEXT NULL,
                source TEXT NOT NULL
            );
            CREATE INDEX audit_events_org_at ON audit_events(org_id, at, id);
            """),
        (4, "master key of each connection", """
            ALTER TABLE connections ADD COLUMN key_id TEXT NULL;
            CREATE INDEX connections_key ON connections(key_id, id);
            """),
        (5, "aggregated authentication failures, running servers' master keys", """
            ALTER TABLE audit_events ADD COLUMN occurrences BIGINT NULL;
            CREATE TABLE server_instances (
                id TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                process_id BIGINT NOT NULL,
                active_key_id TEXT NOT NULL,
                key_ids TEXT NOT NULL,
                started_at BIGINT NOT NULL,
                heartbeat_at BIGINT NOT NULL
            );
            """),
        (6, "destination of each secret; audit details", """
            ALTER TABLE connections ADD COLUMN secret_hosts TEXT NULL;
            ALTER TABLE audit_events ADD COLUMN detail TEXT NULL;
            """),
        (7, "access: managed roles with stable ids, restriction policies of connections", """
            CREATE TABLE roles (
                id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                role_key TEXT NOT NULL,
                name TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                UNIQUE (org_id, role_key)
            );
            INSERT INTO roles (id, org_id, role_key, name, created_at)
            SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
                    || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
                o.id, k.role_key, k.name, o.created_at
            FROM orgs o CROSS JOIN (
                SELECT 'admin' AS role_key, 'Datadog Admin Role' AS name
                UNION ALL SELECT 'standard', 'Datadog Standard Role'
                UNION ALL SELECT 'read_only', 'Datadog Read Only Role') k;
            CREATE TABLE connection_bindings (
                connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                org_id TEXT NOT NULL,
                position BIGINT NOT NULL,
                relation TEXT NOT NULL,
                principal_type TEXT NOT NULL,
                principal_id TEXT NOT NULL,
                PRIMARY KEY (connection_id, position)
            );
            CREATE INDEX connection_bindings_principal ON connection_bindings(org_id, principal_type, principal_id, connection_id);
            """),
        (8, "console key ring", """
            CREATE TABLE data_protection_keys (
                id TEXT PRIMARY KEY,
                friendly_name TEXT NOT NULL,
                xml TEXT NOT NULL,
                created_at BIGINT NOT NULL
            );
            """),
    ];

    /// <summary>
    /// PostgreSQL's text of the migrations that need one, by version. Text columns there are
    /// <c>COLLATE "C"</c>: SQLite compares and sorts text bytewise (BINARY) and lowercases ASCII
    /// only, and so does PostgreSQL under "C", whatever the database's own (often linguistic)
    /// collation; without it lists would come back in another order. A new migration that adds a
    /// text column needs an entry here too (a storage test checks every column's collation).
    /// </summary>
    public static readonly IReadOnlyDictionary<int, string> PostgresText = new Dictionary<int, string>
    {
        [1] = """
            CREATE TABLE orgs (
                id TEXT COLLATE "C" PRIMARY KEY,
                name TEXT COLLATE "C" NOT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE TABLE principals (
                id TEXT COLLATE "C" PRIMARY KEY,
                org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(id),
                kind TEXT COLLATE "C" NOT NULL,
                name TEXT COLLATE "C" NOT NULL,
                email TEXT COLLATE "C" NULL,
                role TEXT COLLATE "C" NOT NULL,
                disabled BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX principals_org ON principals(org_id, name);
            CREATE TABLE api_keys (
                id TEXT COLLATE "C" PRIMARY KEY,
                org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(id),
                name TEXT COLLATE "C" NOT NULL,
                key_hash TEXT COLLATE "C" NOT NULL UNIQUE,
                last4 TEXT COLLATE "C" NOT NULL,
                category TEXT COLLATE "C" NOT NULL,
                remote_config_read_enabled BIGINT NOT NULL,
                created_by TEXT COLLATE "C" NOT NULL,
                modified_by TEXT COLLATE "C" NULL,
                created_at BIGINT NOT NULL,
                modified_at BIGINT NOT NULL
            );
            CREATE INDEX api_keys_org ON api_keys(org_id, name);
            CREATE TABLE app_keys (
                id TEXT COLLATE "C" PRIMARY KEY,
                org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(id),
                owner_id TEXT COLLATE "C" NOT NULL REFERENCES principals(id),
                name TEXT COLLATE "C" NOT NULL,
                key_hash TEXT COLLATE "C" NOT NULL UNIQUE,
                last4 TEXT COLLATE "C" NOT NULL,
                scopes TEXT COLLATE "C" NULL,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX app_keys_org ON app_keys(org_id, name);
            CREATE INDEX app_keys_owner ON app_keys(owner_id);
            CREATE TABLE app_key_registrations (
                app_key_id TEXT COLLATE "C" PRIMARY KEY REFERENCES app_keys(id) ON DELETE CASCADE,
                org_id TEXT COLLATE "C" NOT NULL,
                registered_by TEXT COLLATE "C" NOT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX app_key_registrations_org ON app_key_registrations(org_id, created_at, app_key_id);
            """,
        [2] = """
            CREATE TABLE connections (
                id TEXT COLLATE "C" PRIMARY KEY,
                org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(id),
                name TEXT COLLATE "C" NOT NULL,
                integration_type TEXT COLLATE "C" NOT NULL,
                credential_type TEXT COLLATE "C" NOT NULL,
                integration TEXT COLLATE "C" NOT NULL,
                secrets TEXT COLLATE "C" NOT NULL,
                tags TEXT COLLATE "C" NULL,
                created_by TEXT COLLATE "C" NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version BIGINT NOT NULL
            );
            CREATE INDEX connections_org_name ON connections(org_id, name, id);
            CREATE INDEX connections_org_type ON connections(org_id, integration_type, name, id);
            """,
        [3] = """
            CREATE TABLE audit_events (
                id TEXT COLLATE "C" PRIMARY KEY,
                org_id TEXT COLLATE "C" NULL,
                at BIGINT NOT NULL,
                action TEXT COLLATE "C" NOT NULL,
                outcome TEXT COLLATE "C" NOT NULL,
                status BIGINT NULL,
                principal_id TEXT COLLATE "C" NULL,
                api_key_id TEXT COLLATE "C" NULL,
                app_key_id TEXT COLLATE "C" NULL,
                target_type TEXT COLLATE "C" NULL,
                target_id TEXT COLLATE "C" NULL,
                request_id TEXT COLLATE "C" NULL,
                client_address TEXT COLLATE "C" NULL,
                source TEXT COLLATE "C" NOT NULL
            );
            CREATE INDEX audit_events_org_at ON audit_events(org_id, at, id);
            """,
        [4] = """
            ALTER TABLE connections ADD COLUMN key_id TEXT COLLATE "C" NULL;
            CREATE INDEX connections_key ON connections(key_id, id);
            """,
        [5] = """
            ALTER TABLE audit_events ADD COLUMN occurrences BIGINT NULL;
            CREATE TABLE server_instances (
                id TEXT COLLATE "C" PRIMARY KEY,
                host TEXT COLLATE "C" NOT NULL,
                process_id BIGINT NOT NULL,
                active_key_id TEXT COLLATE "C" NOT NULL,
                key_ids TEXT COLLATE "C" NOT NULL,
                started_at BIGINT NOT NULL,
                heartbeat_at BIGINT NOT NULL
            );
            """,
        [6] = """
            ALTER TABLE connections ADD COLUMN secret_hosts TEXT COLLATE "C" NULL;
            ALTER TABLE audit_events ADD COLUMN detail TEXT COLLATE "C" NULL;
            """,
        [7] = """
            CREATE TABLE roles (
                id TEXT COLLATE "C" PRIMARY KEY,
                org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(id),
                role_key TEXT COLLATE "C" NOT NULL,
                name TEXT COLLATE "C" NOT NULL,
                created_at BIGINT NOT NULL,
                UNIQUE (org_id, role_key)
            );
            INSERT INTO roles (id, org_id, role_key, name, created_at)
            SELECT gen_random_uuid()::text, o.id, k.role_key, k.name, o.created_at
            FROM orgs o CROSS JOIN (VALUES ('admin', 'Datadog Admin Role'), ('standard', 'Datadog Standard Role'),
                ('read_only', 'Datadog Read Only Role')) AS k(role_key, name);
            CREATE TABLE connection_bindings (
                connection_id TEXT COLLATE "C" NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                org_id TEXT COLLATE "C" NOT NULL,
                position BIGINT NOT NULL,
                relation TEXT COLLATE "C" NOT NULL,
                principal_type TEXT COLLATE "C" NOT NULL,
                principal_id TEXT COLLATE "C" NOT NULL,
                PRIMARY KEY (connection_id, position)
            );
            CREATE INDEX connection_bindings_principal ON connection_bindings(org_id, principal_type, principal_id, connection_id);
            """,
        [8] = """
            CREATE TABLE data_protection_keys (
                id TEXT COLLATE "C" PRIMARY KEY,
                friendly_name TEXT COLLATE "C" NOT NULL,
                xml TEXT COLLATE "C" NOT NULL,
                created_at BIGINT NOT NULL
            );
            """,
    };

    /// <summary>The SQL of one migration for a provider (<c>sqlite</c> or <c>postgres</c>).</summary>
    public static string SqlFor(string provider, int version, string portableSql) =>
        provider == PostgresDatabase.Provider && PostgresText.TryGetValue(version, out var postgres) ? postgres : portableSql;
}
