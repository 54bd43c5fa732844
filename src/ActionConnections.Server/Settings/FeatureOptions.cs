using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ActionConnections.Settings;

/// <summary>
/// Each feature's settings: its own options class, bound to the one documented section
/// (<c>ActionConnections</c> in <c>appsettings.json</c>, flat, as it always was), with its own
/// validator, checked at start. Every options class also declares its <c>ACTIONCONNECTIONS_*</c>
/// variables next to its properties (a static <c>EnvironmentVariables</c>: variable → property),
/// which the composition root collects (ADR 0020).
/// </summary>
internal static class FeatureOptions
{
    /// <summary>The configuration section every feature's settings bind to.</summary>
    public const string Section = "ActionConnections";

    /// <summary>Binds <typeparamref name="TOptions"/> to <see cref="Section"/>, validated by <typeparamref name="TValidator"/> at start.</summary>
    public static IHostApplicationBuilder AddFeatureOptions<TOptions, TValidator>(this IHostApplicationBuilder builder)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        // Idempotent: the admin CLI and the server may register a feature twice over shared steps.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISettingsCheck, SettingsCheck<TOptions>>());
        builder.Services.AddOptions<TOptions>().Bind(builder.Configuration.GetSection(Section)).ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// Every problem of every feature's settings, all at once (ValidateOnStart stops at the
    /// first failing class); a value that does not convert (<c>"many"</c> for a number) throws
    /// the binder's <see cref="InvalidOperationException"/>, which names the key.
    /// </summary>
    public static IReadOnlyList<string> Failures(IServiceProvider services)
    {
        var failures = new List<string>();
        foreach (var check in services.GetServices<ISettingsCheck>())
        {
            try
            {
                check.Resolve(services);
            }
            catch (OptionsValidationException e)
            {
                failures.AddRange(e.Failures);
            }
        }

        return failures;
    }

    /// <summary>Throws <see cref="InvalidSettingsException"/> naming every problem, if there is any.</summary>
    public static void ValidateAll(IServiceProvider services)
    {
        if (Failures(services) is { Count: > 0 } failures)
        {
            throw new InvalidSettingsException(failures);
        }
    }

    private interface ISettingsCheck
    {
        void Resolve(IServiceProvider services);
    }

    private sealed class SettingsCheck<TOptions> : ISettingsCheck
        where TOptions : class
    {
        public void Resolve(IServiceProvider services) => _ = services.GetRequiredService<IOptions<TOptions>>().Value;
    }
}

/// <summary>Settings that do not validate: every problem of every feature, each reported on its own line.</summary>
internal sealed class InvalidSettingsException(IReadOnlyList<string> failures) : Exception(string.Join(Environment.NewLine, failures))
{
    public IReadOnlyList<string> Failures { get; } = failures;
}

/// <summary>A configuration or environment problem reported to the operator as one clear line.</summary>
internal sealed class StartupException(string message) : Exception(message);
