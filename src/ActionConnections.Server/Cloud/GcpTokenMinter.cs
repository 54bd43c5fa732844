using System.Security.Cryptography;
using ActionConnections.Secrets;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;
using Microsoft.Extensions.Options;

namespace ActionConnections.Cloud;

/// <summary>
/// A GCP connection's access token through Google.Apis.Auth: an RS256 JWT assertion signed with
/// the connection's private key for its service account, exchanged at
/// <c>ACTIONCONNECTIONS_GCP_TOKEN_URI</c>.
/// </summary>
internal sealed class GcpTokenMinter(IOptions<CloudOptions> options, CloudHttp http, TimeProvider time)
{
    public const string DefaultScope = "https://www.googleapis.com/auth/cloud-platform";

    private readonly string _tokenUri = options.Value.GcpTokenUri;
    private readonly HttpClientFromMessageHandlerFactory _clients = new(_ => new HttpClientFromMessageHandlerFactory.ConfiguredHttpMessageHandler(
        new SharedHandler(http.Handler), performsAutomaticDecompression: false, handlesRedirect: false));

    public static IReadOnlyList<string> ScopesFor(MintRequest request) =>
        request.Scopes is { Count: > 0 } asked ? asked : [DefaultScope];

    public async Task<MintOutcome> MintAsync(GcpServiceAccountIdentity identity, MintRequest request, CancellationToken cancellationToken)
    {
        var scopes = ScopesFor(request);
        ServiceAccountCredential credential;
        try
        {
            credential = new ServiceAccountCredential(new ServiceAccountCredential.Initializer(identity.Email, _tokenUri)
            {
                Scopes = scopes,
                HttpClientFactory = _clients,
            }.FromPrivateKey(identity.PrivateKey.Reveal()));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or FormatException or InvalidOperationException or NotSupportedException or IndexOutOfRangeException or OverflowException)
        {
            // The library's message may quote the key; ours names only the problem.
            return MintOutcome.Failed(MintFailureKind.Refused, "invalid_private_key", "the connection's private_key is not a PEM-encoded RSA private key");
        }

        try
        {
            await credential.RequestAccessTokenAsync(cancellationToken);
            var token = credential.Token;
            var issued = token.IssuedUtc == default ? time.GetUtcNow() : new DateTimeOffset(DateTime.SpecifyKind(token.IssuedUtc, DateTimeKind.Utc));
            return MintOutcome.Minted(new OAuthAccessToken
            {
                Id = Guid.NewGuid(),
                AccessToken = SecretString.FromPlaintext(token.AccessToken),
                Expiration = issued.AddSeconds(token.ExpiresInSeconds ?? 3600),
                Scopes = [.. scopes],
            });
        }
        catch (Exception e)
        {
            // Whatever the library throws is the provider's failure, never a 500 of ours.
            var failure = CloudFailures.Classify(e);
            return MintOutcome.Failed(failure.Kind, failure.Code, failure.Message);
        }
    }

    /// <summary>Google's clients may dispose their handler; the shared one must outlive them.</summary>
    private sealed class SharedHandler(HttpMessageHandler shared) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(shared, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _invoker.SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _invoker.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
