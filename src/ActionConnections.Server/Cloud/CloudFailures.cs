using System.Net;
using ActionConnections.Egress;
using Amazon.Runtime;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Identity.Client;

namespace ActionConnections.Cloud;

/// <summary>
/// Turns what the providers' libraries throw into <see cref="MintFailure"/>s: a provider's
/// refusal (a 4xx answer) keeps its error code and message; no answer, a server error or a
/// transport failure is "unreachable"; a cancellation is "timed out" (the caller tells a
/// client that hung up from its own timeout).
/// </summary>
internal static class CloudFailures
{
    public static MintFailure Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OperationCanceledException or TimeoutException)
            {
                return new MintFailure(MintFailureKind.TimedOut, "timeout", "the provider did not answer in time");
            }
        }

        switch (exception)
        {
            case AmazonServiceException aws when IsRefusal(aws.StatusCode) && aws.ErrorCode is { Length: > 0 }:
                return new MintFailure(MintFailureKind.Refused, aws.ErrorCode, aws.Message);
            case MsalServiceException msal when IsRefusal((HttpStatusCode)msal.StatusCode):
                return new MintFailure(MintFailureKind.Refused, msal.ErrorCode, FirstLine(msal.Message));
            case TokenResponseException google when google.StatusCode is { } status && IsRefusal(status):
                return new MintFailure(MintFailureKind.Refused, google.Error?.Error ?? "invalid_request", google.Error?.ErrorDescription ?? string.Empty);
            case AmazonClientException aws when aws.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase) && aws.InnerException is not HttpRequestException:
                return new MintFailure(MintFailureKind.Unreachable, "no_server_identity", "the server has no AWS identity: no credentials in the AWS SDK's default chain");
            default:
                break;
        }

        if (EgressHttpClient.Describe(exception) is { } transport)
        {
            var code = transport.Kind switch
            {
                EgressFailureKind.Denied => "egress_denied",
                EgressFailureKind.Dns => "name_resolution_failed",
                EgressFailureKind.Tls => "tls_failed",
                _ => "connection_failed",
            };
            return new MintFailure(MintFailureKind.Unreachable, code, transport.Detail);
        }

        return exception switch
        {
            AmazonServiceException aws => new MintFailure(MintFailureKind.Unreachable, aws.ErrorCode is { Length: > 0 } code ? code : "provider_error", $"the provider answered {(int)aws.StatusCode}"),
            MsalServiceException msal => new MintFailure(MintFailureKind.Unreachable, msal.ErrorCode, $"the provider answered {msal.StatusCode}"),
            TokenResponseException google => new MintFailure(MintFailureKind.Unreachable, google.Error?.Error ?? "provider_error", $"the provider answered {(int?)google.StatusCode}"),

            // E.g. a body that is not a token response: the provider is not what it should be.
            _ => new MintFailure(MintFailureKind.Unreachable, "invalid_provider_response", "the provider's answer could not be used"),
        };
    }

    private static bool IsRefusal(HttpStatusCode status) => (int)status is >= 400 and < 500 and not 408 and not 429;

    /// <summary>MSAL appends trace and correlation ids and documentation links on further lines.</summary>
    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
