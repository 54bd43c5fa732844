using System.Data.Common;

namespace ActionConnections.Storage;

/// <summary>Small helpers that keep ADO.NET code short; no ORM, the SQL stays visible.</summary>
internal static class Db
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value switch
        {
            null => DBNull.Value,
            Guid g => g.ToString("D"),
            DateTimeOffset t => ToMicros(t),
            bool b => b ? 1L : 0L,
            _ => value,
        };
        command.Parameters.Add(parameter);
        return command;
    }

    public static long ToMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

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
