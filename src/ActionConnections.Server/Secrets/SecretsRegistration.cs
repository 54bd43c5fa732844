using ActionConnections.Settings;
using ActionConnections.Storage;
using Microsoft.Extensions.Options;

namespace ActionConnections.Secrets;

internal static class SecretsRegistration
{
    /// <summary>The master keys, the one encryption seam, and the record of which key each server writes with.</summary>
    public static IHostApplicationBuilder AddSecrets(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<SecretsOptions, SecretsOptionsValidator>();
        builder.Services.AddSingleton(sp => MasterKeyLoader.Load(
            sp.GetRequiredService<IOptions<SecretsOptions>>().Value, sp.GetRequiredService<IOptions<StorageOptions>>().Value.DataDir));
        builder.Services.AddSingleton<ISecretProtector, AesGcmSecretProtector>();
        builder.Services.AddSingleton<ServerInstanceStore>();
        return builder;
    }

    /// <summary>The server records, in the database, the master key it writes with, and refreshes it (ADR 0012).</summary>
    public static IHostApplicationBuilder AddServerInstanceHeartbeat(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<ServerInstanceHeartbeat>();
        return builder;
    }
}
