using Microsoft.Extensions.Options;

namespace ActionConnections.Observability;

/// <summary>
/// What SIGTERM does (README, "Stopping and upgrading"): draining starts at once, so
/// <c>/health/ready</c> answers 503 and load balancers stop sending; for
/// <see cref="ObservabilityOptions.ShutdownDelaySeconds"/> requests are still accepted (a balancer
/// that has not noticed yet loses nothing); then Kestrel stops accepting and requests in flight
/// get <see cref="ObservabilityOptions.ShutdownDrainSeconds"/> to finish before their connections
/// are closed; then the process exits 0.
/// </summary>
internal static class GracefulShutdown
{
    public static IHostApplicationBuilder AddGracefulShutdown(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ShutdownState>();
        builder.Services.AddHostedService<DrainOnStop>();

        // The host's stop timeout bounds the delay and Kestrel's wait for requests in flight together.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ObservabilityOptions>>((host, options) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(options.Value.ShutdownDelaySeconds + options.Value.ShutdownDrainSeconds));
        return builder;
    }
}

/// <summary>Whether the server is draining (stopping): readiness reads it.</summary>
internal sealed class ShutdownState
{
    private volatile bool _draining;

    public bool Draining => _draining;

    public void StartDraining() => _draining = true;
}

/// <summary>
/// Marks the server draining as soon as the host is asked to stop, then holds the stop for the
/// configured delay before the web server stops accepting (it runs before any service's StopAsync).
/// </summary>
internal sealed partial class DrainOnStop(
    ShutdownState state,
    IHostApplicationLifetime lifetime,
    IOptions<ObservabilityOptions> options,
    ILogger<DrainOnStop> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // SIGTERM raises ApplicationStopping first (the console lifetime), before the host stops services.
        lifetime.ApplicationStopping.Register(Drain);
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Drain();
        var delay = TimeSpan.FromSeconds(options.Value.ShutdownDelaySeconds);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }

        LogStopAccepting(logger, options.Value.ShutdownDrainSeconds);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Drain()
    {
        if (!state.Draining)
        {
            state.StartDraining();
            LogDraining(logger, options.Value.ShutdownDelaySeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: /health/ready answers 503; requests are still accepted for {DelaySeconds} s")]
    private static partial void LogDraining(ILogger logger, int delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "No longer accepting connections; requests in flight have {DrainSeconds} s to finish")]
    private static partial void LogStopAccepting(ILogger logger, int drainSeconds);
}
