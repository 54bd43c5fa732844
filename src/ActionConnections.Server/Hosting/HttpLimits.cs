using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ActionConnections.Hosting;

internal static class HttpLimits
{
    /// <summary>Kestrel's limits, documented in the README: oversized input is refused before it costs anything.</summary>
    public static IHostApplicationBuilder AddHttpLimits(this IHostApplicationBuilder builder)
    {
        var maxBody = builder.Configuration.GetSection(ServerOptions.Section).GetValue<long?>(nameof(ServerOptions.MaxRequestBodyBytes)) ?? new ServerOptions().MaxRequestBodyBytes;
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxBody;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 100;
        });
        return builder;
    }
}
