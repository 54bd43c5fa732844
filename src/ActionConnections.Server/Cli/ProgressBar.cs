using System.Diagnostics;
using System.Globalization;

namespace ActionConnections.Cli;

/// <summary>
/// A text progress bar on the error stream (so standard output stays clean for scripts):
/// <c>[##########----------]  50% 500/1000 1234/s ETA 0:00:01</c>, redrawn at most ten times a second.
/// </summary>
internal sealed class ProgressBar(TextWriter output, string label) : IProgress<(long Done, long Total)>
{
    private const int Width = 30;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDrawMs = -1000;

    public void Report((long Done, long Total) value)
    {
        var now = _clock.ElapsedMilliseconds;
        if (now - _lastDrawMs < 100 && value.Done < value.Total)
        {
            return;
        }

        _lastDrawMs = now;
        output.Write('\r');
        output.Write(Render(label, value.Done, value.Total, _clock.Elapsed));
        output.Flush();
    }

    public void Complete() => output.WriteLine();

    public static string Render(string label, long done, long total, TimeSpan elapsed)
    {
        var fraction = total <= 0 ? 1.0 : Math.Clamp((double)done / total, 0, 1);
        var filled = (int)Math.Round(fraction * Width);
        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        var eta = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
        return string.Create(CultureInfo.InvariantCulture,
            $"{label} [{new string('#', filled)}{new string('-', Width - filled)}] {fraction * 100,3:0}% {done}/{total} {rate:0}/s ETA {eta:h\\:mm\\:ss}");
    }
}
