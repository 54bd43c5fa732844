using ActionConnections.Secrets;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace ActionConnections.Cloud;

/// <summary>
/// OAuth 2.0 client credentials for an Azure connection's app registration, through MSAL, at
/// <c>{ACTIONCONNECTIONS_AZURE_AUTHORITY}/{tenant_id}/oauth2/v2.0/token</c>.
/// </summary>
internal sealed class AzureTokenMinter(IOptions<CloudOptions> options, CloudHttp http)
{
    public const string DefaultScope = "https://management.azure.com/.default";

    private readonly string _authority = options.Value.AzureAuthority.TrimEnd('/');
    private readonly MsalHttpClients _clients = new(http);

    /// <summary>The scopes asked for: the request's, else the connection's <c>custom_scopes</c> (space-separated), else the default.</summary>
    public static IReadOnlyList<string> ScopesFor(AzureAppIdentity identity, MintRequest request) =>
        request.Scopes is { Count: > 0 } asked ? asked
        : identity.CustomScopes?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } custom ? custom
        : [DefaultScope];

    public async Task<MintOutcome> MintAsync(AzureAppIdentity identity, MintRequest request, CancellationToken cancellationToken)
    {
        var scopes = ScopesFor(identity, request);
        try
        {
            // One application per mint: its token cache would be a second copy of ours.
            var app = ConfidentialClientApplicationBuilder.Create(identity.ClientId)
                .WithClientSecret(identity.ClientSecret.Reveal())
                .WithAuthority($"{_authority}/{Uri.EscapeDataString(identity.TenantId)}")
                // Discovery would ask login.microsoftonline.com about the authority: a sovereign
                // cloud or a private endpoint must be reached as configured, and nothing else.
                .WithInstanceDiscovery(false)
                .WithHttpClientFactory(_clients)
                .Build();
            var result = await app.AcquireTokenForClient(scopes).ExecuteAsync(cancellationToken);
            return MintOutcome.Minted(new OAuthAccessToken
            {
                Id = Guid.NewGuid(),
                AccessToken = SecretString.FromPlaintext(result.AccessToken),
                Expiration = result.ExpiresOn,
                Scopes = result.Scopes?.ToList() is { Count: > 0 } granted ? granted : [.. scopes],
            });
        }
        catch (Exception e)
        {
            // Whatever the library throws is the provider's failure, never a 500 of ours.
            var failure = CloudFailures.Classify(e);
            return MintOutcome.Failed(failure.Kind, failure.Code, failure.Message);
        }
    }

    private sealed class MsalHttpClients(CloudHttp http) : IMsalHttpClientFactory
    {
        private readonly HttpClient _client = http.CreateClient();

        public HttpClient GetHttpClient() => _client;
    }
}
