using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.Egress;

internal static class EgressRegistration
{
    /// <summary>
    /// The egress policy and the one guarded client (<see cref="EgressHttpClient"/>) every
    /// request the server sends on a user's behalf goes through.
    /// </summary>
    public static IHostApplicationBuilder AddEgress(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<EgressOptions, EgressOptionsValidator>();
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<EgressOptions>>().Value;
            return new EgressPolicy(options.EgressAllow, options.EgressDeny);
        });
        builder.Services.AddSingleton<EgressHttpClient>();
        return builder;
    }
}
