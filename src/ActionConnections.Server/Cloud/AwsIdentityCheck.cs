using ActionConnections.Connections;
using Microsoft.Extensions.Options;

namespace ActionConnections.Cloud;

/// <summary>
/// At start, when AWS credentials are configured, asks STS who the server is and says so, in one
/// log line, if its account is not <c>ACTIONCONNECTIONS_AWS_PRINCIPAL_ID</c>: customers' trust
/// policies name that account, so every role assumption would be refused. Not a failure: the
/// server runs, and only its AWS mints are affected. Runs in the background, so a slow or absent
/// STS never delays start-up.
/// </summary>
internal sealed partial class AwsIdentityCheck(AwsRoleMinter aws, IOptions<ConnectionsOptions> connections, IOptions<CloudOptions> options, ILogger<AwsIdentityCheck> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var principalId = connections.Value.AwsPrincipalId;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.CloudTimeoutSeconds));
        try
        {
            var identity = await aws.CallerIdentityAsync(timeout.Token);
            if (identity is null)
            {
                LogNoCredentials(logger);
            }
            else if (!string.Equals(identity.Account, principalId, StringComparison.Ordinal))
            {
                LogMismatch(logger, identity.Arn, identity.Account, principalId);
            }
            else
            {
                LogMatch(logger, identity.Arn, identity.Account);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            var type = e.GetType().Name;
            LogCheckFailed(logger, type);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server's AWS identity {Arn} is in account {Account}, but ACTIONCONNECTIONS_AWS_PRINCIPAL_ID is {PrincipalId}: roles trusting principal_id will refuse it until they agree")]
    private static partial void LogMismatch(ILogger logger, string arn, string account, string principalId);

    [LoggerMessage(Level = LogLevel.Information, Message = "The server's AWS identity {Arn} is in account {Account}, the configured principal_id")]
    private static partial void LogMatch(ILogger logger, string arn, string account);

    [LoggerMessage(Level = LogLevel.Information, Message = "No AWS credentials are configured: AWS connections cannot mint credentials")]
    private static partial void LogNoCredentials(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not check the server's AWS identity against ACTIONCONNECTIONS_AWS_PRINCIPAL_ID: {ExceptionType}")]
    private static partial void LogCheckFailed(ILogger logger, string exceptionType);
}
