using ActionConnections.RateLimiting;
using ActionConnections.Settings;

namespace ActionConnections.Gateway;

internal static class GatewayRegistration
{
    /// <summary>Authentication, its cache and its failure log, and the rate limits, in front of <c>/api/v2</c>.</summary>
    public static IHostApplicationBuilder AddApiGateway(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<GatewayOptions, GatewayOptionsValidator>();
        builder.Services.AddSingleton<FixedWindowRateLimiter>();
        builder.Services.AddSingleton<AuthenticationCache>();
        builder.Services.AddSingleton<AuthenticationFailures>();
        builder.Services.AddHostedService(static services => services.GetRequiredService<AuthenticationFailures>());
        return builder;
    }

    public static WebApplication UseApiGateway(this WebApplication app)
    {
        app.UseWhen(
            ctx => ctx.Request.Path.StartsWithSegments("/api/v2", StringComparison.OrdinalIgnoreCase),
            branch => branch.UseMiddleware<ApiGatewayMiddleware>());
        return app;
    }
}
