using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.WebConsole;

/// <summary>How long console sessions last (section <see cref="FeatureOptions.Section"/>; ADR 0017).</summary>
internal sealed class ConsoleOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_CONSOLE_IDLE_TIMEOUT_MINUTES"] = nameof(ConsoleIdleTimeoutMinutes),
        ["ACTIONCONNECTIONS_CONSOLE_ABSOLUTE_TIMEOUT_MINUTES"] = nameof(ConsoleAbsoluteTimeoutMinutes),
    };

    /// <summary>Minutes without a request after which a console session ends (sliding).</summary>
    public int ConsoleIdleTimeoutMinutes { get; set; } = 30;

    /// <summary>Minutes after sign-in after which a console session ends, however active.</summary>
    public int ConsoleAbsoluteTimeoutMinutes { get; set; } = 480;
}

internal sealed class ConsoleOptionsValidator : IValidateOptions<ConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleOptions options)
    {
        var errors = new List<string>();
        if (options.ConsoleIdleTimeoutMinutes is < 1 or > 1440)
        {
            errors.Add("ACTIONCONNECTIONS_CONSOLE_IDLE_TIMEOUT_MINUTES must be between 1 and 1440.");
        }

        if (options.ConsoleAbsoluteTimeoutMinutes < options.ConsoleIdleTimeoutMinutes || options.ConsoleAbsoluteTimeoutMinutes > 10080)
        {
            errors.Add("ACTIONCONNECTIONS_CONSOLE_ABSOLUTE_TIMEOUT_MINUTES must be between the idle timeout and 10080 (a week).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
