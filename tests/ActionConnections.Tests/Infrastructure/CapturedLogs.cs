using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>Every log line the server writes, at every level, with exception text, for leak checks.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    private readonly ConcurrentQueue<CapturedEntry> _entries = new();

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Each entry whole: category, formatted message, and its structured values.</summary>
    public IReadOnlyCollection<CapturedEntry> Entries => _entries;

    public string All => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines, ConcurrentQueue<CapturedEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            lines.Enqueue($"{logLevel} {category}: {message} {exception}");
            var values = new List<string>();
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    lines.Enqueue($"  {key}={value}");
                    values.Add($"{value}");
                }
            }

            entries.Enqueue(new CapturedEntry(category, message, values));
        }
    }
}

internal sealed record CapturedEntry(string Category, string Message, IReadOnlyList<string> Values);
