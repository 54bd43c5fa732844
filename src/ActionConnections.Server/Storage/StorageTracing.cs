using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace ActionConnections.Storage;

/// <summary>
/// Database spans for SQLite, whose ADO.NET provider emits none (Npgsql has its own, enabled in
/// <c>Observability/Telemetry</c>). A command is wrapped only while someone listens (tracing on), so the
/// untraced path stays as it was. Attributes are the SQL text, which is parameterised everywhere:
/// no value of a parameter (hence no secret or ciphertext) is ever in a span.
/// </summary>
internal static partial class StorageTracing
{
    public const string SourceName = "ActionConnections.Storage";

    public static readonly ActivitySource Source = new(SourceName);

    private static readonly ConcurrentDictionary<string, string> Summaries = new(StringComparer.Ordinal);

    /// <summary>The command, traced when a listener wants its spans.</summary>
    public static DbCommand Trace(DbCommand command, string system) =>
        Source.HasListeners() ? new TracedDbCommand(command, system) : command;

    /// <summary>
    /// The span name of a statement, as OpenTelemetry's database conventions suggest: its operation
    /// and main table (<c>SELECT connections</c>), computed once per distinct SQL text.
    /// </summary>
    public static string Summary(string sql) => Summaries.Count < 1024
        ? Summaries.GetOrAdd(sql, Summarize)
        : Summaries.TryGetValue(sql, out var known) ? known : Summarize(sql);

    private static string Summarize(string sql)
    {
        var match = StatementPattern().Match(sql);
        if (!match.Success)
        {
            return "query";
        }

        var operation = match.Groups["op"].Value.ToUpperInvariant();
        var table = TablePattern().Match(sql, match.Index);
        return table.Success ? $"{operation} {table.Groups["table"].Value}" : operation;
    }

    internal static Activity? Start(string sql, string system)
    {
        var activity = Source.StartActivity(Summary(sql), ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", system);
            activity.SetTag("db.system", system);
            activity.SetTag("db.operation.name", Summary(sql).Split(' ')[0]);
            activity.SetTag("db.query.text", sql);
        }

        return activity;
    }

    internal static void Fail(Activity? activity, Exception exception)
    {
        // The exception's type only: a provider's message may quote data.
        activity?.SetStatus(ActivityStatusCode.Error);
        activity?.SetTag("error.type", exception.GetType().FullName);
    }

    [GeneratedRegex(@"\b(?<op>SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|PRAGMA|BEGIN|COMMIT|WITH)\b", RegexOptions.IgnoreCase)]
    private static partial Regex StatementPattern();

    [GeneratedRegex(@"\b(?:FROM|INTO|UPDATE|TABLE)\s+(?<table>[A-Za-z_][A-Za-z0-9_]*)", RegexOptions.IgnoreCase)]
    private static partial Regex TablePattern();
}

/// <summary>A command that runs its inner one inside a span; everything else is the inner command's.</summary>
[SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The text is the inner command's own, set by the stores.")]
internal sealed class TracedDbCommand(DbCommand inner, string system) : DbCommand
{
    [AllowNull]
    public override string CommandText
    {
        get => inner.CommandText;
        set => inner.CommandText = value;
    }

    public override int CommandTimeout
    {
        get => inner.CommandTimeout;
        set => inner.CommandTimeout = value;
    }

    public override CommandType CommandType
    {
        get => inner.CommandType;
        set => inner.CommandType = value;
    }

    public override bool DesignTimeVisible
    {
        get => inner.DesignTimeVisible;
        set => inner.DesignTimeVisible = value;
    }

    public override UpdateRowSource UpdatedRowSource
    {
        get => inner.UpdatedRowSource;
        set => inner.UpdatedRowSource = value;
    }

    protected override DbConnection? DbConnection
    {
        get => inner.Connection;
        set => inner.Connection = value;
    }

    protected override DbParameterCollection DbParameterCollection => inner.Parameters;

    protected override DbTransaction? DbTransaction
    {
        get => inner.Transaction;
        set => inner.Transaction = value;
    }

    public override void Cancel() => inner.Cancel();

    public override void Prepare() => inner.Prepare();

    protected override DbParameter CreateDbParameter() => inner.CreateParameter();

    public override int ExecuteNonQuery()
    {
        using var activity = StorageTracing.Start(inner.CommandText, system);
        try
        {
            return inner.ExecuteNonQuery();
        }
        catch (Exception e)
        {
            StorageTracing.Fail(activity, e);
            throw;
        }
    }

    public override object? ExecuteScalar()
    {
        using var activity = StorageTracing.Start(inner.CommandText, system);
        try
        {
            return inner.ExecuteScalar();
        }
        catch (Exception e)
        {
            StorageTracing.Fail(activity, e);
            throw;
        }
    }

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
    {
        using var activity = StorageTracing.Start(inner.CommandText, system);
        try
        {
            return inner.ExecuteReader(behavior);
        }
        catch (Exception e)
        {
            StorageTracing.Fail(activity, e);
            throw;
        }
    }

    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
    {
        using var activity = StorageTracing.Start(inner.CommandText, system);
        try
        {
            return await inner.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e)
        {
            StorageTracing.Fail(activity, e);
            throw;
        }
    }

    public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
    {
        using var activity = StorageTracing.Start(inner.CommandText, system);
        try
        {
            return await inner.ExecuteScalarAsync(cancellationToken);
        }
        catch (Exception e)
        {
            StorageTracing.Fail(activity, e);
            throw;
        }
    }

    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        using var activity = StorageTracing.Start(inner.CommandText, system);
        try
        {
            return await inner.ExecuteReaderAsync(behavior, cancellationToken);
        }
        catch (Exception e)
        {
            StorageTracing.Fail(activity, e);
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
