using ActionConnections.Secrets;

namespace ActionConnections.Cloud;

/// <summary>A short-lived credential minted from a cloud connection; held in memory only.</summary>
internal abstract record MintedCredential
{
    /// <summary>Identifies this mint (a cached credential keeps the id it was minted with).</summary>
    public required Guid Id { get; init; }

    public required DateTimeOffset Expiration { get; init; }
}

/// <summary>Temporary AWS credentials of an assumed role.</summary>
internal sealed record AwsSessionCredential : MintedCredential
{
    public required string AccessKeyId { get; init; }

    public required SecretString SecretAccessKey { get; init; }

    public required SecretString SessionToken { get; init; }

    public required string AssumedRoleArn { get; init; }
}

/// <summary>An OAuth 2.0 Bearer access token (Azure, GCP).</summary>
internal sealed record OAuthAccessToken : MintedCredential
{
    public required SecretString AccessToken { get; init; }

    public required IReadOnlyList<string> Scopes { get; init; }
}

/// <summary>Why a mint failed; each kind has its own status.</summary>
internal enum MintFailureKind
{
    /// <summary>The provider answered and refused (422): wrong external id, invalid client, bad key.</summary>
    Refused,

    /// <summary>The provider could not be reached or answered with a server error (502).</summary>
    Unreachable,

    /// <summary>No answer within the configured time (504).</summary>
    TimedOut,
}

/// <summary>A failed mint: the provider's error code and message, never a secret.</summary>
internal sealed record MintFailure(MintFailureKind Kind, string Code, string Message);

/// <summary>A mint's outcome: a credential or a failure.</summary>
internal sealed record MintOutcome(MintedCredential? Credential, MintFailure? Failure)
{
    public static MintOutcome Minted(MintedCredential credential) => new(credential, null);

    public static MintOutcome Failed(MintFailureKind kind, string code, string message) => new(null, new MintFailure(kind, code, Truncate(message)));

    /// <summary>Provider messages are for people; a hostile or broken endpoint must not make our answer huge.</summary>
    private static string Truncate(string message) => message.Length <= 1000 ? message : message[..1000] + "…";
}

/// <summary>What was asked: the duration (AWS) and the scopes (Azure, GCP), defaults applied.</summary>
internal sealed record MintRequest(int DurationSeconds, IReadOnlyList<string>? Scopes)
{
    public const int DefaultDurationSeconds = 900;
    public const int MinDurationSeconds = 900;
    public const int MaxDurationSeconds = 43200;
}
