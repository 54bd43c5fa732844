using System.Globalization;

namespace ActionConnections.Bench.Seeder;

/// <summary>
/// <c>seed --orgs N --per-org M --ids-out FILE</c> fills an empty data directory;
/// <c>steps --ids FILE [--seconds S]</c> times the steps of a GET. The data directory and keys come
/// from the same <c>ACTIONCONNECTIONS_*</c> variables the server reads.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        var options = ParseOptions(args.Skip(1));
        return args.FirstOrDefault() switch
        {
            "seed" when options.TryGetValue("--ids-out", out var idsOut) => await SeedCommand.RunAsync(
                Int(options, "--orgs", 1), Int(options, "--per-org", 1000), idsOut, cancel.Token),
            "steps" when options.TryGetValue("--ids", out var ids) => await StepsCommand.RunAsync(
                ids, options.TryGetValue("--seconds", out var s) ? double.Parse(s, CultureInfo.InvariantCulture) : 2, cancel.Token),
            _ => Usage(),
        };
    }

    private static Dictionary<string, string> ParseOptions(IEnumerable<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        foreach (var arg in args)
        {
            if (name is null)
            {
                name = arg;
            }
            else
            {
                options[name] = arg;
                name = null;
            }
        }

        return options;
    }

    private static int Int(Dictionary<string, string> options, string name, int fallback) =>
        options.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static int Usage()
    {
        Console.Error.WriteLine("usage: ActionConnections.Bench.Seeder seed --orgs N --per-org M --ids-out FILE");
        Console.Error.WriteLine("       ActionConnections.Bench.Seeder steps --ids FILE [--seconds S]");
        return 2;
    }
}
