using System.Data.Common;
using ActionConnections.Storage;

namespace ActionConnections.AppKeyRegistrations;

internal sealed class SqlRegistrationStore(IDatabase db, TimeProvider time) : IRegistrationStore
{
    public Task RegisterAsync(Guid orgId, Guid appKeyId, Guid registeredBy, CancellationToken cancellationToken) =>
        db.WriteAsync(tx => RegisterAsync(tx, orgId, appKeyId, registeredBy, cancellationToken), cancellationToken);

    public async Task<bool> RegisterAsync(DbTransaction tx, Guid orgId, Guid appKeyId, Guid registeredBy, CancellationToken cancellationToken)
    {
        await using (var command = tx.Command("""
            INSERT INTO app_key_registrations (app_key_id, org_id, registered_by, created_at)
            SELECT @id, @org, @by, @at WHERE EXISTS (SELECT 1 FROM app_keys WHERE id = @id AND org_id = @org)
            ON CONFLICT (app_key_id) DO NOTHING;
            """).With("@id", appKeyId).With("@org", orgId).With("@by", registeredBy).With("@at", time.GetUtcNow()))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var registered = tx.Command("SELECT 1 FROM app_key_registrations WHERE org_id = @org AND app_key_id = @id;").With("@org", orgId).With("@id", appKeyId);
        return await registered.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task<bool> IsRegisteredAsync(Guid orgId, Guid appKeyId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT 1 FROM app_key_registrations WHERE org_id = @org AND app_key_id = @id;")
            .With("@org", orgId).With("@id", appKeyId);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task<bool> UnregisterAsync(DbTransaction tx, Guid orgId, Guid appKeyId, CancellationToken cancellationToken)
    {
        await using var command = tx.Command("DELETE FROM app_key_registrations WHERE org_id = @org AND app_key_id = @id;")
            .With("@org", orgId).With("@id", appKeyId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<Page<Guid>> ListAsync(Guid orgId, int pageSize, long pageNumber, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        long total;
        await using (var count = connection.Command("SELECT COUNT(*) FROM app_key_registrations WHERE org_id = @org;").With("@org", orgId))
        {
            total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        var ids = new List<Guid>();
        await using var command = connection.Command("""
            SELECT app_key_id FROM app_key_registrations WHERE org_id = @org
            ORDER BY created_at, app_key_id LIMIT @limit OFFSET @offset;
            """).With("@org", orgId).With("@limit", (long)pageSize).With("@offset", pageNumber * pageSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(Guid.Parse(reader.GetString(0)));
        }

        return new Page<Guid>(ids, total);
    }
}
