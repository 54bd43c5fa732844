using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using ActionConnections.Cloud;
using ActionConnections.Connections;
using ActionConnections.Egress;
using ActionConnections.Errors;
using ActionConnections.Identity;
using ActionConnections.Observability;
using ActionConnections.Secrets;
using Microsoft.Extensions.Options;

namespace ActionConnections.HttpRequests;

/// <summary>What an execution came to: the upstream's answer or an error, and what the audit trail says of it.</summary>
internal sealed record ExecutionOutcome(HttpResponseEnvelope? Response, ApiProblem? Problem, string? AuditDetail);

/// <summary>
/// Sends a caller's request through a connection: loads it (in the caller's organisation),
/// checks its secrets are still bound to its destination, decrypts them through the one
/// <see cref="ISecretProtector"/> seam, builds the request (<see cref="OutboundRequest"/>), sends it
/// through the guarded <see cref="EgressHttpClient"/> (following redirects hop by hop when asked),
/// reads at most the configured bytes of the answer and masks every secret in it. Headers, query
/// values and bodies are never logged.
/// </summary>
internal sealed partial class HttpRequestExecutor(
    IConnectionStore store,
    ISecretProtector protector,
    Destinations destinations,
    EgressHttpClient egress,
    CloudCredentialService cloud,
    ActionConnectionsMetrics metrics,
    IOptions<HttpRequestsOptions> options,
    IOptions<CloudOptions> cloudOptions,
    ILogger<HttpRequestExecutor> logger)
{
    public const int MaxRedirects = 5;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly long _maxResponseBytes = options.Value.HttpResponseMaxBytes;
    private readonly string _awsRegion = cloudOptions.Value.AwsRegion;

    public async Task<ExecutionOutcome?> ExecuteAsync(Caller caller, Guid connectionId, HttpRequestInput input, CancellationToken cancellationToken)
    {
        var connection = await store.FindAsync(caller.OrgId, connectionId, cancellationToken);
        if (connection is null)
        {
            return null;
        }

        var outcome = await UseAsync(caller, connectionId, connection, input, cancellationToken);
        metrics.RecordConnectionUse(connection.Integration.Type, ActionConnectionsMetrics.OutcomeOf(outcome.Problem?.StatusCode ?? StatusCodes.Status200OK));
        return outcome;
    }

    private async Task<ExecutionOutcome> UseAsync(Caller caller, Guid connectionId, ConnectionRecord connection, HttpRequestInput input, CancellationToken cancellationToken)
    {
        var integration = connection.Integration;
        var destination = destinations.Resolve(integration);
        if (destination.ApiBase is null && destination.Hosts is null)
        {
            return Fail(ApiProblem.BadRequest(destination.Problem!), null);
        }

        if (Unbound(connection) is { } conflict)
        {
            return Fail(conflict, null);
        }

        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, ciphertext) in connection.SealedSecrets)
        {
            secrets[name] = protector.Unprotect(ciphertext, new SecretContext(caller.OrgId, connectionId, name));
        }

        var identity = CloudIdentities.From(connection, protector);
        if (input.Aws is not null && identity is not AwsRoleIdentity)
        {
            return Fail(ApiProblem.BadRequest("aws applies to AWS connections only", "/data/attributes/aws"), null);
        }

        var (built, problem, pointer) = OutboundRequest.Build(input, integration, destination, secrets, cloud: identity is not null);
        if (built is null)
        {
            return Fail(ApiProblem.BadRequest(problem!, pointer), null);
        }

        var request = built;
        var minted = new List<string>();
        if (identity is not null)
        {
            AwsSigning? target = null;
            if (identity is AwsRoleIdentity)
            {
                var (service, region) = AwsSigning.Resolve(request.Url.IdnHost, input.Aws?.Service, input.Aws?.Region, _awsRegion);
                if (service is null)
                {
                    return Fail(ApiProblem.BadRequest(
                        $"aws.service is required: the host '{request.Url.IdnHost}' does not name the service to sign for (e.g. \"aws\":{{\"service\":\"execute-api\"}})",
                        "/data/attributes/aws/service"), null);
                }

                target = new AwsSigning(service, region);
                request = request with { Url = AwsRequestSigner.Canonical(request.Url) };
            }

            // The same minting and cache as POST …/credentials with no body: the connection's
            // default duration and scopes.
            var mint = await cloud.MintAsync(connection, CredentialsRequests.Default, cancellationToken);
            if (mint is CredentialsOutcome.Failed failed)
            {
                var refusal = CloudCredentialsApi.ToProblem(failed);
                metrics.RecordCredentialMint(integration.Type, ActionConnectionsMetrics.OutcomeOf(refusal.StatusCode));
                return Fail(refusal, $"{request.Method} {request.Url.IdnHost} {request.Url.AbsolutePath} -> credentials {failed.Failure.Kind.ToString().ToLowerInvariant()}: {failed.Failure.Code}");
            }

            metrics.RecordCredentialMint(integration.Type, "success");
            switch (((CredentialsOutcome.Minted)mint).Credential)
            {
                case AwsSessionCredential session:
                    minted.Add(session.SessionToken.Reveal());
                    minted.Add(session.SecretAccessKey.Reveal());
                    request = request with { Signing = new AwsSigningCredential(session, target!) };
                    break;
                case OAuthAccessToken token:
                    minted.Add(token.AccessToken.Reveal());
                    request = request with { Headers = [.. request.Headers, new("Authorization", $"Bearer {token.AccessToken.Reveal()}")] };
                    break;
            }
        }

        var redactor = new ResponseRedactor(secrets.Values.Concat(minted), request.EncodedSecretForms);
        var started = Stopwatch.GetTimestamp();
        var where = $"{request.Method} {request.Url.IdnHost} {request.Url.AbsolutePath}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(input.TimeoutSeconds));
        try
        {
            using var response = await SendAsync(request, input.FollowRedirects, timeout.Token);
            var (body, truncated) = await ReadBodyAsync(response, timeout.Token);
            var elapsed = Milliseconds(started);
            body = redactor.Redact(body, truncated);
            var envelope = new HttpResponseEnvelope(new HttpResponseData
            {
                Id = Guid.NewGuid().ToString("D"),
                Attributes = new HttpResponseAttributes
                {
                    Status = (int)response.StatusCode,
                    Headers = [.. response.Headers.Concat(response.Content.Headers)
                        .SelectMany(h => h.Value.Select(v => new HttpHeaderPair(h.Key, redactor.Redact(v))))],
                    Body = Encode(body, response.Content.Headers.ContentType?.ToString() is { } type ? redactor.Redact(type) : null),
                    Truncated = truncated,
                    DurationMs = elapsed,
                },
            });
            LogExecuted(logger, connectionId, request.Url.IdnHost, (int)response.StatusCode, elapsed);
            return new ExecutionOutcome(envelope, null, string.Create(CultureInfo.InvariantCulture, $"{where} -> {(int)response.StatusCode} in {elapsed} ms"));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, connectionId, request.Url.IdnHost, "timeout");
            return Fail(
                new ApiProblem(StatusCodes.Status504GatewayTimeout, new ApiError($"upstream timeout: no complete answer within {input.TimeoutSeconds} s", "Gateway Timeout", "504")),
                $"{where} -> timeout after {input.TimeoutSeconds} s");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && EgressHttpClient.Describe(e) is { } failure)
        {
            var kind = failure.Kind.ToString();
            LogFailed(logger, connectionId, request.Url.IdnHost, kind);
            var status = failure.Kind == EgressFailureKind.Denied ? StatusCodes.Status403Forbidden : StatusCodes.Status502BadGateway;
            var title = failure.Kind == EgressFailureKind.Denied ? "Forbidden" : "Bad Gateway";
            return Fail(
                new ApiProblem(status, new ApiError(redactor.Redact(failure.Detail), title, status.ToString(CultureInfo.InvariantCulture))),
                $"{where} -> {(failure.Kind == EgressFailureKind.Denied ? "egress denied" : kind.ToLowerInvariant() + " failure")}");
        }
    }

    /// <summary>
    /// A 409 when a kept secret was entered for another destination than the connection names
    /// now (a PATCH moved it and kept the secret): it must be entered again for the new host.
    /// </summary>
    private static ApiProblem? Unbound(ConnectionRecord connection)
    {
        if (Destinations.BindingHost(connection.Integration) is not { } now)
        {
            return null;
        }

        var stale = connection.SecretHosts.Where(b => connection.SealedSecrets.ContainsKey(b.Key) && b.Value != now).ToList();
        if (stale.Count == 0)
        {
            return null;
        }

        var fields = string.Join(", ", stale.Select(s => s.Key).Order(StringComparer.Ordinal));
        var hosts = string.Join(", ", stale.Select(s => s.Value).Distinct().Order(StringComparer.Ordinal));
        return new ApiProblem(StatusCodes.Status409Conflict, new ApiError(
            $"the connection now points at {now}, but its secret(s) {fields} were entered for {hosts}; enter them again (PATCH the connection) before using it",
            "Conflict",
            "409"));
    }

    /// <summary>Sends the request, then each redirect the caller asked to follow: every hop is its own connect, checked by the egress policy again.</summary>
    private async Task<HttpResponseMessage> SendAsync(OutboundRequest request, bool followRedirects, CancellationToken cancellationToken)
    {
        var url = request.Url;
        var method = request.Method;
        var body = request.Body;
        for (var hop = 0; ; hop++)
        {
            var sameHost = Destinations.Authority(url) == request.DestinationAuthority;
            using var message = new HttpRequestMessage(new HttpMethod(method), url);
            foreach (var (name, value) in request.Headers)
            {
                // What the connection added (its credential above all) goes to its own host only.
                if (!sameHost && request.ConnectionHeaderNames.Contains(name))
                {
                    continue;
                }

                message.Headers.TryAddWithoutValidation(name, value);
            }

            if (body is not null)
            {
                message.Content = new ByteArrayContent(body);
                if (request.ContentType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
                }
            }

            if (request.Signing is { } signing)
            {
                // Each hop is signed anew: its method, URL and body are what the signature covers.
                AwsRequestSigner.Sign(message, body, signing.Credential, signing.Target);
            }

            var response = await egress.SendAsync(message, cancellationToken);
            if (!followRedirects || hop >= MaxRedirects || !IsRedirect(response.StatusCode) || response.Headers.Location is not { } location)
            {
                return response;
            }

            var next = location.IsAbsoluteUri ? location : new Uri(url, location);
            if (next.Scheme != Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttp)
            {
                // Another protocol is never followed (CVE-2023-28155): the redirect is the answer.
                return response;
            }

            if (request.Signing is not null && Destinations.Authority(next) != request.DestinationAuthority)
            {
                // A signed request is signed for its host: another host gets no signature from us,
                // and a request without one is not what the caller asked for. The redirect is the answer.
                return response;
            }

            var keepsBody = response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
            if (keepsBody && body is not null && request.BodyHasConnectionContent && Destinations.Authority(next) != request.DestinationAuthority)
            {
                // The body carries the connection's rendered content: it does not go to another host.
                return response;
            }

            response.Dispose();
            if (!keepsBody && method != "HEAD" && (response.StatusCode == HttpStatusCode.SeeOther || method == "POST"))
            {
                method = "GET";
                body = null;
            }

            url = next.Fragment.Length > 0 ? new UriBuilder(next) { Fragment = string.Empty }.Uri : next;
            if (request.Signing is not null)
            {
                url = AwsRequestSigner.Canonical(url);
            }
        }
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>At most the configured bytes, and whether there were more.</summary>
    private async Task<(byte[] Body, bool Truncated)> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // A body of declared length is read into an array of that size (plus one byte, to see a
        // server that sends more than it declared); otherwise into a pooled buffer, grown as
        // needed. Either way at most the cap plus one byte is ever held.
        var declared = response.Content.Headers.ContentLength;
        var initial = declared is { } length && length >= 0 ? (int)Math.Min(length + 1, _maxResponseBytes + 1) : (int)Math.Min(16 * 1024, _maxResponseBytes + 1);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 1));
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var filled = 0;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, _maxResponseBytes + 1));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
                    buffer = larger;
                }

                var wanted = (int)Math.Min(buffer.Length - filled, _maxResponseBytes + 1 - filled);
                var read = await stream.ReadAsync(buffer.AsMemory(filled, wanted), cancellationToken);
                if (read == 0)
                {
                    return (buffer.AsSpan(0, filled).ToArray(), false);
                }

                filled += read;
                if (filled > _maxResponseBytes)
                {
                    // Not read to the end: the connection is dropped rather than drained.
                    return (buffer.AsSpan(0, (int)_maxResponseBytes).ToArray(), true);
                }
            }
        }
        finally
        {
            // Cleared: the buffer held an upstream's answer, which may carry secrets before redaction.
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private static HttpResponseBody Encode(byte[] body, string? contentType)
    {
        try
        {
            return new HttpResponseBody { ContentType = contentType, Content = StrictUtf8.GetString(body), Encoding = "utf-8" };
        }
        catch (DecoderFallbackException)
        {
            return new HttpResponseBody { ContentType = contentType, Content = Convert.ToBase64String(body), Encoding = "base64" };
        }
    }

    private static double Milliseconds(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);

    private static ExecutionOutcome Fail(ApiProblem problem, string? detail) => new(null, problem, detail);

    // Debug: every use already has its durable audit event (method, host, path, status, duration)
    // and its metric; a line per use at Information cost a console write per request (ADR 0021).
    // Failures stay at Information.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId} sent a request to {Host}: {Status} in {DurationMs} ms")]
    private static partial void LogExecuted(ILogger logger, Guid connectionId, string host, int status, double durationMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} could not send a request to {Host}: {Failure}")]
    private static partial void LogFailed(ILogger logger, Guid connectionId, string host, string failure);
}
