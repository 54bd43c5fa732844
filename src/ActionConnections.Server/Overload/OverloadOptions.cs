using Microsoft.Extensions.Options;

namespace ActionConnections.Overload;

/// <summary>
/// How much work the server takes on at once (section <c>ActionConnections</c>; variables
/// <c>ACTIONCONNECTIONS_MAX_CONCURRENT_REQUESTS</c> and <c>ACTIONCONNECTIONS_REQUEST_QUEUE_LIMIT</c>).
/// Each of the two pools (<see cref="OverloadProtection"/>) has these limits.
/// </summary>
internal sealed class OverloadOptions
{
    public const string Section = "ActionConnections";

    /// <summary>Requests of one pool handled at the same time.</summary>
    public int MaxConcurrentRequests { get; set; } = 512;

    /// <summary>Requests of one pool waiting for a turn, oldest first; beyond them a request is answered 503 at once.</summary>
    public int RequestQueueLimit { get; set; } = 2048;
}

internal sealed class OverloadOptionsValidator : IValidateOptions<OverloadOptions>
{
    public ValidateOptionsResult Validate(string? name, OverloadOptions options)
    {
        var errors = new List<string>();
        if (options.MaxConcurrentRequests is < 1 or > 100_000)
        {
            errors.Add("ACTIONCONNECTIONS_MAX_CONCURRENT_REQUESTS must be between 1 and 100000.");
        }

        if (options.RequestQueueLimit is < 0 or > 1_000_000)
        {
            errors.Add("ACTIONCONNECTIONS_REQUEST_QUEUE_LIMIT must be between 0 and 1000000.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
