using System.Diagnostics;
using System.Globalization;

namespace ActionConnections.Bench.Seeder;

/// <summary>
/// <c>[#####-----] 42% 420000/1000000 12345/s ETA 1m02s</c> on stderr: redrawn in place a few
/// times a second on a terminal, one line per tenth of the way when stderr is a file.
/// </summary>
internal sealed class ProgressBar(string label, long total)
{
    private const int Width = 30;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _inPlace = !Console.IsErrorRedirected;
    private TimeSpan _lastDraw = TimeSpan.MinValue;
    private long _lastTenth = -1;

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Report(long done)
    {
        var now = _clock.Elapsed;
        var tenth = total == 0 ? 10 : done * 10 / total;
        if (_inPlace ? now - _lastDraw < TimeSpan.FromMilliseconds(250) && done < total : tenth == _lastTenth)
        {
            return;
        }

        _lastDraw = now;
        _lastTenth = tenth;
        Console.Error.Write((_inPlace ? "\r" : string.Empty) + Line(done, now) + (_inPlace ? string.Empty : "\n"));
    }

    public void Finish(long done)
    {
        _lastDraw = TimeSpan.MinValue;
        _lastTenth = -1;
        Report(done);
        if (_inPlace)
        {
            Console.Error.WriteLine();
        }
    }

    private string Line(long done, TimeSpan elapsed)
    {
        var fraction = total == 0 ? 1 : (double)done / total;
        var filled = (int)Math.Round(fraction * Width);
        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        var eta = rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : TimeSpan.Zero;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{label} [{new string('#', filled)}{new string('-', Width - filled)}] {fraction * 100,3:F0}% {done}/{total} {rate:F0}/s ETA {(int)eta.TotalMinutes}m{eta.Seconds:D2}s   ");
    }
}
