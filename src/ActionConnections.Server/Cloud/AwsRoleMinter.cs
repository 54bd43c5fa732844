using ActionConnections.Secrets;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Options;

namespace ActionConnections.Cloud;

/// <summary>
/// Assumes a customer's role with <c>sts:AssumeRole</c>, as the server's own AWS identity (the
/// SDK's default credential chain: environment, shared profile, web identity, container or
/// instance metadata; never a connection), presenting the connection's external id.
/// </summary>
internal sealed class AwsRoleMinter : IDisposable
{
    private readonly AmazonSecurityTokenServiceConfig _config;
    private readonly string _partition;
    private readonly Lazy<AmazonSecurityTokenServiceClient> _client;

    public AwsRoleMinter(IOptions<CloudOptions> options, CloudHttp http)
    {
        var settings = options.Value;
        _config = new AmazonSecurityTokenServiceConfig
        {
            HttpClientFactory = new SdkHttpClientFactory(http),
            MaxErrorRetry = 2,
            Timeout = TimeSpan.FromSeconds(settings.CloudTimeoutSeconds),
        };
        if (settings.AwsStsEndpoint is { } endpoint)
        {
            _config.ServiceURL = endpoint;
            _config.AuthenticationRegion = settings.AwsRegion;
        }
        else
        {
            _config.RegionEndpoint = RegionEndpoint.GetBySystemName(settings.AwsRegion);
        }

        _partition = PartitionOf(settings.AwsRegion);

        // Without credentials of its own, the client resolves the SDK's default chain at each call
        // (which caches and refreshes them), so a server with no AWS identity starts, and only its
        // AWS mints fail.
        _client = new(() => new AmazonSecurityTokenServiceClient(_config));
    }

    /// <summary>The role session name: the connection, within AWS's 64 characters (<c>[\w+=,.@-]</c>).</summary>
    public static string SessionNameOf(Guid connectionId) => $"actionconnections-{connectionId:N}";

    public string RoleArnOf(AwsRoleIdentity identity) => $"arn:{_partition}:iam::{identity.AccountId}:role/{identity.Role}";

    public async Task<MintOutcome> MintAsync(Guid connectionId, AwsRoleIdentity identity, MintRequest request, CancellationToken cancellationToken)
    {
        var call = new AssumeRoleRequest
        {
            RoleArn = RoleArnOf(identity),
            RoleSessionName = SessionNameOf(connectionId),
            ExternalId = identity.ExternalId,
            DurationSeconds = request.DurationSeconds,
        };
        try
        {
            var response = await _client.Value.AssumeRoleAsync(call, cancellationToken);
            var credentials = response.Credentials;
            return MintOutcome.Minted(new AwsSessionCredential
            {
                Id = Guid.NewGuid(),
                AccessKeyId = credentials.AccessKeyId,
                SecretAccessKey = SecretString.FromPlaintext(credentials.SecretAccessKey),
                SessionToken = SecretString.FromPlaintext(credentials.SessionToken),
                Expiration = new DateTimeOffset(DateTime.SpecifyKind(credentials.Expiration ?? DateTime.UtcNow, DateTimeKind.Utc)),
                AssumedRoleArn = response.AssumedRoleUser?.Arn ?? call.RoleArn,
            });
        }
        catch (Exception e)
        {
            // Whatever the library throws is the provider's failure, never a 500 of ours.
            var failure = CloudFailures.Classify(e);
            return MintOutcome.Failed(failure.Kind, failure.Code, failure.Message);
        }
    }

    /// <summary>The server's own identity (for the start-up check), or null when no AWS credentials are configured.</summary>
    public async Task<GetCallerIdentityResponse?> CallerIdentityAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(_config);
        }
        catch (AmazonClientException)
        {
            return null;
        }

        return await _client.Value.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken);
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    /// <summary>ARNs name the partition: GovCloud and China roles are not under <c>arn:aws</c>.</summary>
    private static string PartitionOf(string region) => region switch
    {
        _ when region.StartsWith("cn-", StringComparison.Ordinal) => "aws-cn",
        _ when region.StartsWith("us-gov-", StringComparison.Ordinal) => "aws-us-gov",
        _ when region.StartsWith("us-isob-", StringComparison.Ordinal) => "aws-iso-b",
        _ when region.StartsWith("us-iso-", StringComparison.Ordinal) => "aws-iso",
        _ => "aws",
    };

    /// <summary>Routes the SDK's requests through <see cref="CloudHttp"/>.</summary>
    private sealed class SdkHttpClientFactory(CloudHttp http) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => http.CreateClient();

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
    }
}
