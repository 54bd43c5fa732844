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
        where TOptions : class, new()
        where TValidator : class, IValidateOptions<TOptions>
    {
        // Idempotent: the admin CLI and the server may register a feature twice over shared steps.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        builder.Services.AddOptions<TOptions>().Bind(builder.Configuration.GetSection(Section)).ValidateOnStart();
        ChecksOf(builder)[typeof(TOptions)] = Check<TOptions, TValidator>;
        return builder;
    }

    /// <summary>
    /// Every problem of every feature's settings, all at once, from the configuration as it
    /// stands; before the container is built, since building it already resolves some settings
    /// (the database, the shutdown timeout) and would stop at the first feature that fails. A
    /// value that does not convert (<c>"many"</c> for a number) throws the binder's
    /// <see cref="InvalidOperationException"/>, which names the key.
    /// </summary>
    public static IReadOnlyList<string> Failures(IHostApplicationBuilder builder) =>
        [.. ChecksOf(builder).Values.SelectMany(check => check(builder.Configuration))];

    /// <summary>Throws <see cref="InvalidSettingsException"/> naming every problem, if there is any.</summary>
    public static void ValidateAll(IHostApplicationBuilder builder)
    {
        if (Failures(builder) is { Count: > 0 } failures)
        {
            throw new InvalidSettingsException(failures);
        }
    }

    /// <summary>The registered checks, in the order features registered (kept with the builder, not in a static).</summary>
    private static Dictionary<Type, Func<IConfiguration, IReadOnlyList<string>>> ChecksOf(IHostApplicationBuilder builder)
    {
        if (!builder.Properties.TryGetValue(typeof(FeatureOptions), out var checks))
        {
            builder.Properties[typeof(FeatureOptions)] = checks = new Dictionary<Type, Func<IConfiguration, IReadOnlyList<string>>>();
        }

        return (Dictionary<Type, Func<IConfiguration, IReadOnlyList<string>>>)checks;
    }

    /// <summary>Binds and validates as the options system will, with a validator that may ask for the configuration only.</summary>
    private static IReadOnlyList<string> Check<TOptions, TValidator>(IConfiguration configuration)
        where TOptions : class, new()
        where TValidator : class, IValidateOptions<TOptions>
    {
        var options = new TOptions();
        configuration.GetSection(Section).Bind(options);
        var validator = ActivatorUtilities.CreateInstance<TValidator>(new ConfigurationOnly(configuration));
        return validator.Validate(Options.DefaultName, options) is { Failed: true, Failures: { } failures } ? [.. failures] : [];
    }

    private sealed class ConfigurationOnly(IConfiguration configuration) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IConfiguration) ? configuration : null;
    }
}

/// <summary>Settings that do not validate: every problem of every feature, each reported on its own line.</summary>
internal sealed class InvalidSettingsException(IReadOnlyList<string> failures) : Exception(string.Join(Environment.NewLine, failures))
{
    public IReadOnlyList<string> Failures { get; } = failures;
}

/// <summary>A configuration or environment problem reported to the operator as one clear line.</summary>
internal sealed class StartupException(string message) : Exception(message);
