using System.Diagnostics.Metrics;

namespace ActionConnections.Storage;

/// <summary>
/// The storage layer's own instrument: how many writes each durable SQLite commit carried (group
/// commit, ADR 0018). Its mean is what group commit buys: at 1 every write pays for its own
/// <c>fsync</c>; the higher, the more writes shared one. Exported with the service's other
/// metrics (<c>ACTIONCONNECTIONS_METRICS</c>); PostgreSQL groups commits itself and reports none.
/// </summary>
internal sealed class StorageMetrics
{
    /// <summary>The meter, named apart from the service's <c>ActionConnections</c> meter so that Storage needs nothing above it.</summary>
    public const string MeterName = "ActionConnections.Storage";

    private readonly Histogram<int> _commitWrites;

    public StorageMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _commitWrites = meter.CreateHistogram(
            "actionconnections.sqlite.commit.writes",
            "{write}",
            "Writes kept by each durable SQLite commit (group commit: concurrent writes share one).",
            tags: null,
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64] });
    }

    /// <summary>One durable commit, carrying <paramref name="writes"/> kept writes.</summary>
    public void RecordCommit(int writes) => _commitWrites.Record(writes);
}
