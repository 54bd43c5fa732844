using System.Globalization;
using ActionConnections.Access;
using ActionConnections.Audit;
using ActionConnections.Auth;
using ActionConnections.Authorization;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Identity;
using ActionConnections.Json;
using ActionConnections.Observability;
using ActionConnections.Overload;
using ActionConnections.Settings;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ActionConnections.Cloud;

/// <summary>
/// <c>POST /api/v2/actionconnections/connections/{connection_id}/credentials</c> (an extension):
/// short-lived credentials minted from an AWS, Azure or GCP connection.
/// </summary>
internal static class CloudCredentialsApi
{
    public const string RateLimitGroup = "connection_credentials";

    public static IHostApplicationBuilder AddCloudCredentials(this IHostApplicationBuilder builder)
    {
        builder.AddFeatureOptions<CloudOptions, CloudOptionsValidator>();
        builder.Services.AddSingleton<CloudHttp>();
        builder.Services.AddSingleton<AwsRoleMinter>();
        builder.Services.AddSingleton<AzureTokenMinter>();
        builder.Services.AddSingleton<GcpTokenMinter>();
        builder.Services.AddSingleton<CredentialCache>();
        builder.Services.AddSingleton<Connections.IConnectionChangeObserver>(sp => sp.GetRequiredService<CredentialCache>());
        builder.Services.AddSingleton<CloudCredentialService>();
        builder.Services.AddHostedService<AwsIdentityCheck>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCloudCredentials(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v2/actionconnections/connections/{connection_id}/credentials", MintAsync)
            .RequireRegisteredAppKey()
            .RequirePermission(Permission.ConnectionsResolve)
            .AuditedByHandler(AuditActions.ConnectionCredentials, "connection", "connection_id")
            .WaitsOnUpstream();
        return routes;
    }

    public static Task<Results<JsonApiResult<CloudCredentialsResponse>, ApiProblemResult>> MintAsync(
        string connection_id, HttpRequest http, Caller caller, AuditedAction audit, CloudCredentialService credentials, ConnectionAccess access,
        ActionConnectionsMetrics metrics, AuditRecorder recorder, CancellationToken ct) =>
        ConnectionUseEndpoint.RunAsync<MintRequest, CloudCredentialsResponse>(
            connection_id,
            caller,
            audit,
            access,
            recorder,
            read: ct => ReadAsync(http, ct),
            use: async (id, request, ct) => Answer(await credentials.MintAsync(caller.OrgId, id, request, ct), id, request, metrics),
            notFoundDetail: "error getting connection: rpc error: code = NotFound desc = connection not found",
            ct);

    /// <summary>The body is optional: without one, the defaults.</summary>
    private static async Task<Validated<MintRequest>> ReadAsync(HttpRequest http, CancellationToken ct) =>
        http.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true
            ? await JsonBody.ReadAsync(http, BodyWording.Fields, CredentialsRequests.Read, ct)
            : Validated.Valid(CredentialsRequests.Default);

    private static ConnectionUseAnswer<CloudCredentialsResponse>? Answer(CredentialsOutcome outcome, Guid id, MintRequest request, ActionConnectionsMetrics metrics)
    {
        switch (outcome)
        {
            case CredentialsOutcome.Minted minted:
                metrics.RecordCredentialMint(IntegrationOf(minted.Provider), "success");
                return new(JsonApiResult.Created(new CloudCredentialsResponse(ToData(minted.Credential)), AppJson.Context.CloudCredentialsResponse),
                    Detail(minted.Provider, request, "minted", minted.Cached ? "cache" : "provider"));
            case CredentialsOutcome.Failed failed:
                metrics.RecordCredentialMint(IntegrationOf(failed.Provider), ActionConnectionsMetrics.OutcomeOf(ToProblem(failed).StatusCode));
                return new(new ApiProblemResult(ToProblem(failed)), Detail(failed.Provider, request, failed.Failure.Code, null));
            case CredentialsOutcome.NotCloud notCloud:
                return new(new ApiProblemResult(ApiProblem.BadRequest(
                    $"a connection of integration {notCloud.IntegrationType} has no short-lived credentials: use it through POST /api/v2/actionconnections/connections/{id:D}/http_requests")), null);
            default:
                return null;
        }
    }

    /// <summary>The catalogue's integration type of a provider name (<c>aws</c>, <c>azure</c>, <c>gcp</c>).</summary>
    private static string IntegrationOf(string provider) => provider switch
    {
        "aws" => "AWS",
        "azure" => "Azure",
        _ => "GCP",
    };

    /// <summary>E.g. <c>provider=aws duration_seconds=900 result=minted source=cache</c>: nothing minted, no secret.</summary>
    private static string Detail(string provider, MintRequest request, string result, string? source) =>
        string.Create(CultureInfo.InvariantCulture, $"provider={provider} duration_seconds={request.DurationSeconds} result={result}")
        + (source is null ? string.Empty : $" source={source}");

    private static CloudCredentialsData ToData(MintedCredential credential) => credential switch
    {
        AwsSessionCredential aws => new CloudCredentialsData
        {
            Id = aws.Id.ToString("D"),
            Type = "aws_credentials",
            Attributes = new CloudCredentialsAttributes
            {
                AccessKeyId = aws.AccessKeyId,
                SecretAccessKey = aws.SecretAccessKey.Reveal(),
                SessionToken = aws.SessionToken.Reveal(),
                Expiration = Rfc3339(aws.Expiration),
                AssumedRoleArn = aws.AssumedRoleArn,
            },
        },
        OAuthAccessToken token => new CloudCredentialsData
        {
            Id = token.Id.ToString("D"),
            Type = "oauth2_access_token",
            Attributes = new CloudCredentialsAttributes
            {
                AccessToken = token.AccessToken.Reveal(),
                TokenType = "Bearer",
                Expiration = Rfc3339(token.Expiration),
                Scopes = token.Scopes,
            },
        },
        _ => throw new InvalidOperationException($"Unknown credential {credential.GetType().Name}."),
    };

    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A failed mint's answer, the same wherever the credential was asked for (this endpoint, http_requests).</summary>
    internal static ApiProblem ToProblem(CredentialsOutcome.Failed failed)
    {
        var provider = failed.Provider switch
        {
            "aws" => "AWS STS",
            "azure" => "Microsoft Entra ID",
            _ => "Google OAuth 2.0",
        };
        var failure = failed.Failure;
        return failure.Kind switch
        {
            MintFailureKind.Refused => new ApiProblem(StatusCodes.Status422UnprocessableEntity, new ApiError(
                $"{provider} refused: {failure.Code}: {failure.Message}", "Unprocessable Entity", "422")),
            MintFailureKind.TimedOut => new ApiProblem(StatusCodes.Status504GatewayTimeout, new ApiError(
                $"{provider} did not answer in time", "Gateway Timeout", "504")),
            _ => new ApiProblem(StatusCodes.Status502BadGateway, new ApiError(
                $"{provider} could not be reached ({failure.Code}): {failure.Message}", "Bad Gateway", "502")),
        };
    }
}
