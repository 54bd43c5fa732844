namespace ActionConnections.Storage;

/// <summary>
/// Versioned schema, one entry a change, never edited once released. The SQL is portable
/// between SQLite and PostgreSQL (TEXT ids, BIGINT microsecond times, BLOB/bytea is avoided:
/// hashes are stored as hex text).
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
    ];
}
