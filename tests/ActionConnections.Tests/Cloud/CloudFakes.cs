using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ActionConnections.Tests.Infrastructure;
using Amazon.Runtime.Internal.Auth;
using Microsoft.AspNetCore.Http;

namespace ActionConnections.Tests.Cloud;

/// <summary>
/// A fake AWS STS: it recomputes each request's SigV4 signature with the server's known test
/// secret (the AWS SDK's own signer does the arithmetic) and refuses a wrong one, then plays a
/// trust policy: a role is assumed only with the external id it was given, for the requested
/// duration; answers are STS's XML.
/// </summary>
internal sealed class FakeSts : IAsyncDisposable
{
    public const string Region = "us-east-1";
    public const string RoleAccessKeyId = "ASIAROLETEST00000001";

    private const string Namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

    private FakeSts(FakeEndpoint endpoint) => Endpoint = endpoint;

    public FakeEndpoint Endpoint { get; }

    /// <summary>Role ARN → the external id its trust policy requires.</summary>
    public ConcurrentDictionary<string, string> TrustedExternalIds { get; } = new(StringComparer.Ordinal);

    /// <summary>What GetCallerIdentity answers as the server's account.</summary>
    public string CallerAccount { get; set; } = "464622532012";

    /// <summary>Every session secret handed out, to check that none is stored or logged.</summary>
    public ConcurrentQueue<string> IssuedSecrets { get; } = new();

    /// <summary>Each issued session token → its secret access key: what a fake AWS API verifies signatures with.</summary>
    public ConcurrentDictionary<string, string> SessionSecrets { get; } = new(StringComparer.Ordinal);

    /// <summary>Problems with what was received (a bad signature, a session name out of format…), checked by the tests.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public int AssumeRoleCalls => Endpoint.Requests.Count(r => r.Form.GetValueOrDefault("Action") == "AssumeRole");

    public static async Task<FakeSts> StartAsync()
    {
        FakeSts? self = null;
        var endpoint = await FakeEndpoint.StartAsync((context, request) => self!.HandleAsync(context, request));
        self = new FakeSts(endpoint);
        return self;
    }

    public ValueTask DisposeAsync() => Endpoint.DisposeAsync();

    private async Task HandleAsync(HttpContext context, FakeRequest request)
    {
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        if (VerifySignature(request) is { } signatureProblem)
        {
            Problems.Enqueue(signatureProblem);
            await ErrorAsync(context, 403, "SignatureDoesNotMatch", signatureProblem);
            return;
        }

        var action = request.Form.GetValueOrDefault("Action");
        if (action == "GetCallerIdentity")
        {
            await XmlAsync(context, 200, $"""
                <GetCallerIdentityResponse xmlns="{Namespace}"><GetCallerIdentityResult><Arn>arn:aws:iam::{CallerAccount}:user/actionconnections</Arn><UserId>AIDASERVERTEST</UserId><Account>{CallerAccount}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>
                """);
            return;
        }

        if (action != "AssumeRole")
        {
            await ErrorAsync(context, 400, "InvalidAction", $"Could not find operation {action}");
            return;
        }

        var roleArn = request.Form.GetValueOrDefault("RoleArn") ?? string.Empty;
        var session = request.Form.GetValueOrDefault("RoleSessionName") ?? string.Empty;
        var externalId = request.Form.GetValueOrDefault("ExternalId");
        if (session.Length > 64 || !session.StartsWith("actionconnections-", StringComparison.Ordinal))
        {
            Problems.Enqueue($"session name '{session}'");
        }

        if (!int.TryParse(request.Form.GetValueOrDefault("DurationSeconds"), CultureInfo.InvariantCulture, out var duration) || duration is < 900 or > 43200)
        {
            await ErrorAsync(context, 400, "ValidationError", "DurationSeconds out of range");
            return;
        }

        if (!TrustedExternalIds.TryGetValue(roleArn, out var trusted) || trusted != externalId)
        {
            await ErrorAsync(context, 403, "AccessDenied", $"User: arn:aws:iam::{CallerAccount}:user/actionconnections is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
            return;
        }

        var secret = $"role-secret-{Guid.NewGuid():N}";
        var token = $"role-session-token-{Guid.NewGuid():N}";
        IssuedSecrets.Enqueue(secret);
        IssuedSecrets.Enqueue(token);
        SessionSecrets[token] = secret;
        var expiration = DateTime.UtcNow.AddSeconds(duration).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var roleName = roleArn[(roleArn.LastIndexOf('/') + 1)..];
        var account = roleArn.Split(':')[4];
        await XmlAsync(context, 200, $"""
            <AssumeRoleResponse xmlns="{Namespace}"><AssumeRoleResult><Credentials><AccessKeyId>{RoleAccessKeyId}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken><Expiration>{expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROATEST:{session}</AssumedRoleId><Arn>arn:aws:sts::{account}:assumed-role/{roleName}/{session}</Arn></AssumedRoleUser><SourceIdentity></SourceIdentity></AssumeRoleResult><ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata></AssumeRoleResponse>
            """);
    }

    /// <summary>Null when the request carries a valid SigV4 signature by the server's test identity.</summary>
    private static string? VerifySignature(FakeRequest request)
    {
        if (SigV4Verifier.Read(request) is not { } authorization)
        {
            return "no SigV4 Authorization header";
        }

        if (authorization.Scope is not [var keyId, _, var region, "sts", "aws4_request"] || keyId != CloudServer.ServerAccessKeyId || region != Region)
        {
            return $"credential scope {authorization.Credential}";
        }

        return SigV4Verifier.Matches(request, authorization, CloudServer.ServerSecretAccessKey) ? null : "the signature does not match the server's test secret";
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message) =>
        XmlAsync(context, status, $"""
            <ErrorResponse xmlns="{Namespace}"><Error><Type>Sender</Type><Code>{code}</Code><Message>{System.Security.SecurityElement.Escape(message)}</Message></Error><RequestId>{Guid.NewGuid()}</RequestId></ErrorResponse>
            """);

    private static async Task XmlAsync(HttpContext context, int status, string xml)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync(xml);
    }
}

/// <summary>A fake Microsoft Entra token endpoint: client credentials for one app registration.</summary>
internal sealed class FakeAzure : IAsyncDisposable
{
    private FakeAzure(FakeEndpoint endpoint) => Endpoint = endpoint;

    public FakeEndpoint Endpoint { get; }

    public string TenantId { get; } = Guid.NewGuid().ToString("D");

    public string ClientId { get; } = Guid.NewGuid().ToString("D");

    public string ClientSecret { get; } = $"azure-client-secret-{Guid.NewGuid():N}";

    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    public ConcurrentQueue<string> Problems { get; } = new();

    public int TokenCalls => Endpoint.Requests.Count(r => r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal));

    public static async Task<FakeAzure> StartAsync()
    {
        FakeAzure? self = null;
        var endpoint = await FakeEndpoint.StartAsync((context, request) => self!.HandleAsync(context, request));
        self = new FakeAzure(endpoint);
        return self;
    }

    public ValueTask DisposeAsync() => Endpoint.DisposeAsync();

    private async Task HandleAsync(HttpContext context, FakeRequest request)
    {
        if (request.Method != "POST" || request.Path != $"/{TenantId}/oauth2/v2.0/token")
        {
            Problems.Enqueue($"{request.Method} {request.Path}");
            await JsonAsync(context, 404, new { error = "not_found" });
            return;
        }

        if (request.Form.GetValueOrDefault("grant_type") != "client_credentials")
        {
            Problems.Enqueue($"grant_type {request.Form.GetValueOrDefault("grant_type")}");
            await JsonAsync(context, 400, new { error = "unsupported_grant_type", error_description = "AADSTS70003: grant type not supported" });
            return;
        }

        if (request.Form.GetValueOrDefault("client_id") != ClientId || request.Form.GetValueOrDefault("client_secret") != ClientSecret)
        {
            await JsonAsync(context, 401, new { error = "invalid_client", error_description = "AADSTS7000215: Invalid client secret provided.", error_codes = new[] { 7000215 } });
            return;
        }

        var scope = request.Form.GetValueOrDefault("scope") ?? string.Empty;
        var token = $"azure-access-token-{Guid.NewGuid():N}";
        IssuedTokens.Enqueue(token);
        await JsonAsync(context, 200, new { token_type = "Bearer", expires_in = 3599, ext_expires_in = 3599, access_token = token, scope });
    }

    private static async Task JsonAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}

/// <summary>
/// A fake Google OAuth 2.0 token endpoint: verifies the JWT assertion's RS256 signature with the
/// public half of a key pair made here, and its <c>iss</c>, <c>aud</c>, <c>scope</c>, <c>iat</c>, <c>exp</c>.
/// </summary>
internal sealed class FakeGoogle : IAsyncDisposable
{
    private readonly RSA _key = RSA.Create(2048);

    private FakeGoogle(FakeEndpoint endpoint) => Endpoint = endpoint;

    public FakeEndpoint Endpoint { get; }

    public string TokenUri => new Uri(Endpoint.BaseAddress, "/token").ToString();

    public string Email { get; } = $"automation-{Guid.NewGuid():N}@project.iam.gserviceaccount.com";

    /// <summary>The service account's private key, PKCS#8 PEM, as a GCP key file holds it.</summary>
    public string PrivateKeyPem => _key.ExportPkcs8PrivateKeyPem();

    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    public ConcurrentQueue<string> Problems { get; } = new();

    /// <summary>The scope claim of each assertion received.</summary>
    public ConcurrentQueue<string> Scopes { get; } = new();

    public int TokenCalls => Endpoint.Requests.Count;

    public static async Task<FakeGoogle> StartAsync()
    {
        FakeGoogle? self = null;
        var endpoint = await FakeEndpoint.StartAsync((context, request) => self!.HandleAsync(context, request));
        self = new FakeGoogle(endpoint);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await Endpoint.DisposeAsync();
        _key.Dispose();
    }

    private async Task HandleAsync(HttpContext context, FakeRequest request)
    {
        if (request.Form.GetValueOrDefault("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            await JsonAsync(context, 400, new { error = "unsupported_grant_type", error_description = "Invalid grant_type" });
            return;
        }

        var parts = (request.Form.GetValueOrDefault("assertion") ?? string.Empty).Split('.');
        if (parts.Length != 3)
        {
            await JsonAsync(context, 400, new { error = "invalid_grant", error_description = "Invalid JWT" });
            return;
        }

        using var header = JsonDocument.Parse(Base64UrlDecode(parts[0]));
        using var claims = JsonDocument.Parse(Base64UrlDecode(parts[1]));
        var signed = _key.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (!signed || header.RootElement.GetProperty("alg").GetString() != "RS256")
        {
            await JsonAsync(context, 400, new { error = "invalid_grant", error_description = "Invalid JWT Signature." });
            return;
        }

        var root = claims.RootElement;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var iat = root.GetProperty("iat").GetInt64();
        var exp = root.GetProperty("exp").GetInt64();
        if (root.GetProperty("iss").GetString() != Email)
        {
            Problems.Enqueue($"iss {root.GetProperty("iss")}");
        }

        // Google.Apis.Auth names Google's token endpoint as the audience wherever it sends the
        // assertion (a private or restricted endpoint too), and that is what Google checks.
        if (root.GetProperty("aud").GetString() != "https://oauth2.googleapis.com/token")
        {
            Problems.Enqueue($"aud {root.GetProperty("aud")}");
        }

        if (Math.Abs(iat - now) > 300 || exp <= iat || exp - iat > 3600)
        {
            Problems.Enqueue($"iat {iat} exp {exp} now {now}");
        }

        var scope = root.TryGetProperty("scope", out var s) ? s.GetString() ?? string.Empty : string.Empty;
        Scopes.Enqueue(scope);
        var token = $"ya29.test-{Guid.NewGuid():N}";
        IssuedTokens.Enqueue(token);
        await JsonAsync(context, 200, new { access_token = token, expires_in = 3599, token_type = "Bearer" });
    }

    private static byte[] Base64UrlDecode(string text) => Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));

    private static async Task JsonAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}

/// <summary>
/// A fake AWS service API (as <c>execute-api</c> or <c>ec2</c> would answer): it verifies each
/// request's Signature Version 4 itself, from the AWS specification rather than the SDK's
/// canonicalisation (the SDK's HMAC chain does only the arithmetic): the credential scope's access
/// key, region and service, that <c>x-amz-security-token</c> is a session token the fake STS issued
/// and is signed, that <c>x-amz-content-sha256</c> is the hash of the body received, and the
/// signature, recomputed with that session's secret. A wrong one is a 403
/// <c>SignatureDoesNotMatch</c>. It answers with the session token in its body, so a test can see
/// that our server masks it.
/// </summary>
internal sealed class FakeAwsApi : IAsyncDisposable
{
    private readonly FakeSts _sts;

    private FakeAwsApi(FakeEndpoint endpoint, FakeSts sts)
    {
        Endpoint = endpoint;
        _sts = sts;
    }

    public FakeEndpoint Endpoint { get; }

    public string Service { get; set; } = "execute-api";

    public string Region { get; set; } = "eu-west-3";

    /// <summary>Path → where it redirects (307) instead of answering.</summary>
    public ConcurrentDictionary<string, string> Redirects { get; } = new(StringComparer.Ordinal);

    /// <summary>Problems with what was received, checked by the tests.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();

    /// <summary>Requests whose signature checked out.</summary>
    public int Verified => _verified;

    private int _verified;

    public static async Task<FakeAwsApi> StartAsync(FakeSts sts)
    {
        FakeAwsApi? self = null;
        var endpoint = await FakeEndpoint.StartAsync((context, request) => self!.HandleAsync(context, request));
        self = new FakeAwsApi(endpoint, sts);
        return self;
    }

    public ValueTask DisposeAsync() => Endpoint.DisposeAsync();

    private async Task HandleAsync(HttpContext context, FakeRequest request)
    {
        if (Verify(request) is { } problem)
        {
            Problems.Enqueue(problem);
            context.Response.StatusCode = 403;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { message = "SignatureDoesNotMatch: " + problem }));
            return;
        }

        Interlocked.Increment(ref _verified);
        if (Redirects.TryGetValue(request.Path, out var location))
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = location;
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { ok = true, path = request.Path, echoed_session = request.Headers.GetValueOrDefault("X-Amz-Security-Token") }));
    }

    /// <summary>Null when the request is signed as AWS requires, by a session the fake STS issued.</summary>
    private string? Verify(FakeRequest request)
    {
        if (SigV4Verifier.Read(request) is not { } authorization)
        {
            return "no SigV4 Authorization header";
        }

        if (authorization.Scope is not [FakeSts.RoleAccessKeyId, var date, var region, var service, "aws4_request"] || region != Region || service != Service)
        {
            return $"credential scope {authorization.Credential}";
        }

        var signedHeaders = authorization.SignedHeaders.Split(';');
        foreach (var required in new[] { "host", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256" })
        {
            if (!signedHeaders.Contains(required))
            {
                return $"{required} is not signed";
            }
        }

        var token = request.Headers.GetValueOrDefault("X-Amz-Security-Token") ?? string.Empty;
        if (!_sts.SessionSecrets.TryGetValue(token, out var secret))
        {
            return "x-amz-security-token is not a session token the STS issued";
        }

        if (request.Headers.GetValueOrDefault("X-Amz-Content-Sha256") != SigV4Verifier.BodyHash(request))
        {
            return "x-amz-content-sha256 is not the hash of the body received";
        }

        var signedAt = SigV4Verifier.SignedAt(request);
        if (Math.Abs((DateTime.UtcNow - signedAt).TotalMinutes) > 5 || date != signedAt.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
        {
            return "x-amz-date is not now, or not the scope's date";
        }

        return SigV4Verifier.Matches(request, authorization, secret) ? null : "the signature does not match the session's secret";
    }
}

/// <summary>The <c>Authorization</c> header of a SigV4-signed request, as read by <see cref="SigV4Verifier"/>.</summary>
internal sealed record SigV4Authorization(string Credential, string[] Scope, string SignedHeaders, string Signature);

/// <summary>
/// SigV4 as AWS checks it, for the fakes: the <c>Authorization</c> header read, the canonical
/// request rebuilt from what was received (AWS's "Create a canonical request"), and the signature
/// recomputed with the SDK's signer and the secret the fake knows.
/// </summary>
internal static class SigV4Verifier
{
    private const string Scheme = "AWS4-HMAC-SHA256 ";

    /// <summary>The header's parts; null when the request is not signed with SigV4.</summary>
    public static SigV4Authorization? Read(FakeRequest request)
    {
        var authorization = request.Headers.GetValueOrDefault("Authorization") ?? string.Empty;
        if (!authorization.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = authorization[Scheme.Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return new SigV4Authorization(parts["Credential"], parts["Credential"].Split('/'), parts["SignedHeaders"], parts["Signature"]);
    }

    public static DateTime SignedAt(FakeRequest request) =>
        DateTime.ParseExact(request.Headers["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public static string BodyHash(FakeRequest request) => Convert.ToHexStringLower(SHA256.HashData(request.BodyBytes));

    /// <summary>True when the signature is the one <paramref name="secret"/> gives the canonical request of what was received.</summary>
    public static bool Matches(FakeRequest request, SigV4Authorization authorization, string secret)
    {
        // The path as received, each segment URI-encoded again; the query decoded, RFC 3986-encoded
        // and sorted; the signed headers' values trimmed, inner spaces folded.
        var questionMark = request.Target.IndexOf('?', StringComparison.Ordinal);
        var rawPath = questionMark < 0 ? request.Target : request.Target[..questionMark];
        var rawQuery = questionMark < 0 ? string.Empty : request.Target[(questionMark + 1)..];
        var canonicalPath = string.Join('/', rawPath.Split('/').Select(Uri.EscapeDataString));
        var canonicalQuery = string.Join('&', rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => (Key: Uri.EscapeDataString(Uri.UnescapeDataString(p[0])), Value: Uri.EscapeDataString(Uri.UnescapeDataString(p.Length > 1 ? p[1] : string.Empty))))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
        var canonicalHeaders = new StringBuilder();
        foreach (var name in authorization.SignedHeaders.Split(';'))
        {
            var value = request.Headers.GetValueOrDefault(name) ?? string.Empty;
            canonicalHeaders.Append(name).Append(':').Append(string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))).Append('\n');
        }

        var canonicalRequest = $"{request.Method}\n{canonicalPath}\n{canonicalQuery}\n{canonicalHeaders}\n{authorization.SignedHeaders}\n{BodyHash(request)}";
        var scope = authorization.Scope;
        var expected = AWS4Signer.ComputeSignature(scope[0], secret, scope[2], SignedAt(request), scope[3], authorization.SignedHeaders, canonicalRequest).Signature;
        return expected == authorization.Signature;
    }
}

/// <summary>
/// A fake Azure or Google API: it accepts a request only with <c>Authorization: Bearer</c> and a
/// token its token endpoint issued (401 otherwise), and answers with that token in its body, so a
/// test can see that our server masks it.
/// </summary>
internal sealed class FakeBearerApi : IAsyncDisposable
{
    private readonly Func<IEnumerable<string>> _issued;

    private FakeBearerApi(FakeEndpoint endpoint, Func<IEnumerable<string>> issued)
    {
        Endpoint = endpoint;
        _issued = issued;
    }

    public FakeEndpoint Endpoint { get; }

    public ConcurrentQueue<string> Problems { get; } = new();

    /// <summary><paramref name="issued"/>: the tokens the provider's fake token endpoint handed out so far.</summary>
    public static async Task<FakeBearerApi> StartAsync(Func<IEnumerable<string>> issued)
    {
        FakeBearerApi? self = null;
        var endpoint = await FakeEndpoint.StartAsync((context, request) => self!.HandleAsync(context, request));
        self = new FakeBearerApi(endpoint, issued);
        return self;
    }

    public ValueTask DisposeAsync() => Endpoint.DisposeAsync();

    private async Task HandleAsync(HttpContext context, FakeRequest request)
    {
        var authorization = request.Headers.GetValueOrDefault("Authorization") ?? string.Empty;
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
        context.Response.ContentType = "application/json";
        if (token is null || !_issued().Contains(token))
        {
            Problems.Enqueue($"Authorization '{authorization}'");
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("""{"error":{"code":"InvalidAuthenticationToken"}}""");
            return;
        }

        await context.Response.WriteAsync(JsonSerializer.Serialize(new { ok = true, path = request.Path, echoed_token = token }));
    }
}
