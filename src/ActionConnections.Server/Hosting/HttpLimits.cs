using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace ActionConnections.Hosting;

internal static class HttpLimits
{
    /// <summary>Kestrel's limits, documented in the README: oversized input is refused before it costs anything.</summary>
    public static IHostApplicationBuilder AddHttpLimits(this IHostApplicationBuilder builder)
    {
        // Read from the bound options when Kestrel is configured, not from the configuration as
        // it stands now: sources added after this call (command line, a test's settings) would
        // otherwise be ignored, and the limit would not be the validated one.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServerOptions>>((kestrel, server) =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = server.Value.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 100;
        });
        return builder;
    }
}
