using System.Diagnostics;
using System.Globalization;

using Microsoft.Data.Sqlite;

namespace ActionConnections.Bench.DiskCeiling;

/// <summary>
/// How many durable commits per second this disk takes: one writer, one single-row INSERT per
/// transaction, in a SQLite file with the server's settings (WAL, <c>synchronous=FULL</c>, same
/// SQLite build through Microsoft.Data.Sqlite). A create can be no faster than this.
/// </summary>
/// <remarks>Usage: <c>DiskCeiling FILE SECONDS</c>. Prints one JSON object on stdout.</remarks>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length != 2 || !double.TryParse(args[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
        {
            Console.Error.WriteLine("usage: ActionConnections.Bench.DiskCeiling FILE SECONDS");
            return 2;
        }

        var path = args[0];
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
        Execute(connection, "CREATE TABLE rows (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at BIGINT NOT NULL);");

        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO rows (id, body, created_at) VALUES ($id, $body, $at);";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var body = insert.Parameters.Add("$body", SqliteType.Text);
        var at = insert.Parameters.Add("$at", SqliteType.Integer);
        body.Value = new string('x', 600); // about the size of a stored connection row

        void Commit()
        {
            using var tx = connection.BeginTransaction(deferred: false);
            insert.Transaction = tx;
            id.Value = Guid.NewGuid().ToString("D");
            at.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            insert.ExecuteNonQuery();
            tx.Commit();
        }

        // Warm-up: until the WAL has wrapped at its first checkpoint (1,000 pages) it grows with
        // every commit, and a sync that also changes the file size costs more than the server's
        // steady state, where the WAL is reused in place.
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed < TimeSpan.FromSeconds(3) || new FileInfo(path + "-wal").Length < 4_000_000)
        {
            Commit();
            if (warmup.Elapsed > TimeSpan.FromSeconds(30))
            {
                break;
            }
        }

        var latencies = new List<double>(capacity: 1 << 16);
        var total = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(seconds);
        while (total.Elapsed < limit)
        {
            var started = Stopwatch.GetTimestamp();
            Commit();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var elapsed = total.Elapsed.TotalSeconds;
        latencies.Sort();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"commits":{{latencies.Count}},"seconds":{{elapsed:F3}},"commits_per_s":{{latencies.Count / elapsed:F1}},"p50_ms":{{Percentile(latencies, 50):F3}},"p99_ms":{{Percentile(latencies, 99):F3}}}"""));
        return 0;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
}
