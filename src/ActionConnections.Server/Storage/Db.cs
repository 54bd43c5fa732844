using System.Data;
using System.Data.Common;
using System.Text;

namespace ActionConnections.Storage;

/// <summary>Small helpers that keep ADO.NET code short; no ORM, the SQL stays visible.</summary>
internal static class Db
{
    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction of its own and commits it; an exception
    /// rolls everything back. Stores' write methods take the transaction, so a caller can put
    /// several writes (a change and its audit event) in one.
    /// </summary>
    public static async Task<T> WriteAsync<T>(this IDatabase db, Func<DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        if (db is SqliteDatabase sqlite)
        {
            // A group-committed unit runs on its batch's connection: it rents none of its own.
            // Holding one while it waits for its turn took a pooled connection per waiting write,
            // and with more writers waiting than the pool keeps idle, connections were closed and
            // opened again (their PRAGMAs run and their prepared statements compiled anew) all along.
            await using var unit = await sqlite.BeginUnitAsync(cancellationToken);
            var written = await work(unit);
            await unit.CommitAsync(cancellationToken);
            return written;
        }

        await using var connection = await db.OpenAsync(cancellationToken);
        await using var tx = await db.BeginWriteAsync(connection, cancellationToken);
        var result = await work(tx);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>A command in <paramref name="transaction"/>, on its connection.</summary>
    public static DbCommand Command(this DbTransaction transaction, string sql) =>
        (transaction.Connection ?? throw new InvalidOperationException("The transaction has completed.")).Command(sql, transaction);

    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        // A group-committed SQLite write runs on its batch's connection, whichever the store opened.
        if (transaction is BatchedWriteTransaction unit)
        {
            connection = unit.SharedConnection;
        }

        // A pooled SQLite connection keeps each statement prepared; others compile per command.
        DbCommand command;
        if (connection is PooledSqliteConnection pooled)
        {
            // Npgsql traces its own commands; SQLite's are traced here when tracing is on.
            command = StorageTracing.Trace(pooled.Command(sql), SqliteDatabase.Provider);
        }
        else
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
        }

        command.Transaction = transaction is BatchedWriteTransaction batched ? batched.Inner : transaction;
        return command;
    }

    /// <summary>
    /// Adds a parameter whose database type follows <typeparamref name="T"/>, so a <c>NULL</c> has
    /// a type too (PostgreSQL cannot infer one for <c>@p IS NULL</c>). Ids are stored as text,
    /// times as integer microseconds and booleans as 0/1, the same on every provider.
    /// </summary>
    public static DbCommand With<T>(this DbCommand command, string name, T value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = DbTypeOf(typeof(T));
        parameter.Value = value switch
        {
            null => DBNull.Value,
            Guid g => g.ToString("D"),
            DateTimeOffset t => ToMicros(t),
            bool b => b ? 1L : 0L,
            int i => (long)i,
            _ => value,
        };
        command.Parameters.Add(parameter);
        return command;
    }

    private static DbType DbTypeOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type == typeof(Guid))
        {
            return DbType.String;
        }

        if (type == typeof(long) || type == typeof(int) || type == typeof(bool) || type == typeof(DateTimeOffset))
        {
            return DbType.Int64;
        }

        throw new NotSupportedException($"No portable column type for parameters of type {type.Name}.");
    }

    public static long ToMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>
    /// The two counts of a list query's first row, <c>SELECT (all), (those that match)</c>: the
    /// total and the filtered total every paged list answers with.
    /// </summary>
    public static async Task<(long Total, long TotalFiltered)> ReadTotalsAsync(this DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// A LIKE pattern for values that contain <paramref name="text"/> in lower case (the query lowers
    /// its column and says <c>ESCAPE '\'</c>), with <c>%</c>, <c>_</c> and <c>\</c> escaped; null
    /// when there is no filter.
    /// </summary>
    public static string? ContainsPattern(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var builder = new StringBuilder(text.Length + 2).Append('%');
        foreach (var c in text.ToLowerInvariant())
        {
            if (c is '%' or '_' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.Append('%').ToString();
    }

    public static DateTimeOffset FromMicros(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + (micros * 10), TimeSpan.Zero);

    public static Guid GetGuid(this DbDataReader reader, string column) => Guid.Parse(reader.GetString(reader.GetOrdinal(column)));

    public static Guid? GetNullableGuid(this DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : Guid.Parse(reader.GetString(ordinal));
    }

    public static string Text(this DbDataReader reader, string column) => reader.GetString(reader.GetOrdinal(column));

    public static string? NullableText(this DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    public static long Int64(this DbDataReader reader, string column) => reader.GetInt64(reader.GetOrdinal(column));

    public static bool Bool(this DbDataReader reader, string column) => reader.GetInt64(reader.GetOrdinal(column)) != 0;

    public static DateTimeOffset Time(this DbDataReader reader, string column) => FromMicros(reader.Int64(column));

    public static DateTimeOffset? NullableTime(this DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : FromMicros(reader.GetInt64(ordinal));
    }

    public static byte[] Bytes(this DbDataReader reader, string column) => (byte[])reader[reader.GetOrdinal(column)];
}
