using System.Globalization;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>Assertions on whole responses, so a failure shows status, content type and body at once.</summary>
internal static class ApiAssert
{
    public const string JsonApi = "application/vnd.api+json";

    /// <summary>The one body every authentication failure gets.</summary>
    public const string ForbiddenBody = """{"errors":[{"status":"403","title":"Forbidden","detail":"Forbidden"}]}""";

    public const string TooManyRequestsBody = """{"errors":[{"status":"429","title":"Too Many Requests","detail":"Too many requests"}]}""";

    public const string AppKeyNotFoundBody = """{"errors":[{"detail":"app key not found"}]}""";

    public const string InvalidAppKeyIdBody = """{"errors":[{"status":"400","title":"Invalid Parameter","detail":"invalid parameter \"appKeyId\" in \"path\"; expected type \"uuid\""}]}""";

    /// <summary>Status, <c>application/vnd.api+json</c> and the exact body.</summary>
    public static void JsonApiBody(TestResponse response, int status, string body) =>
        Assert.Equal($"{status} {JsonApi} {body}", response.ToString());

    /// <summary>A 204: no content type, empty body.</summary>
    public static void NoContent(TestResponse response) =>
        Assert.Equal("204  ", response.ToString());

    /// <summary>All five <c>X-RateLimit-*</c> headers, with the reset inside the period.</summary>
    public static void RateLimitHeaders(TestResponse response, string name, int limit, int period, int remaining)
    {
        Assert.Equal(name, response.Header("X-RateLimit-Name"));
        Assert.Equal(limit.ToString(CultureInfo.InvariantCulture), response.Header("X-RateLimit-Limit"));
        Assert.Equal(period.ToString(CultureInfo.InvariantCulture), response.Header("X-RateLimit-Period"));
        Assert.Equal(remaining.ToString(CultureInfo.InvariantCulture), response.Header("X-RateLimit-Remaining"));
        var reset = int.Parse(response.Header("X-RateLimit-Reset") ?? "-1", CultureInfo.InvariantCulture);
        Assert.InRange(reset, 1, period);
    }

    /// <summary>All five headers are there, whatever their values.</summary>
    public static void HasRateLimitHeaders(TestResponse response)
    {
        foreach (var name in new[] { "X-RateLimit-Limit", "X-RateLimit-Period", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Name" })
        {
            Assert.False(string.IsNullOrEmpty(response.Header(name)), $"{name} missing on {response}");
        }
    }

    /// <summary>An error of the Action Connection family: status, its JSON:API type, one error whose detail contains <paramref name="detail"/> (at <paramref name="pointer"/> when given).</summary>
    public static void Error(TestResponse response, int status, string? pointer, string detail)
    {
        Assert.True(response.Status == status && response.ContentType == JsonApi, response.ToString());
        var errors = response.Json.GetProperty("errors").EnumerateArray().ToList();
        Assert.True(
            errors.Any(e => (e.GetProperty("detail").GetString() ?? string.Empty).Contains(detail, StringComparison.Ordinal)
                && (pointer is null || (e.TryGetProperty("source", out var source) && source.GetProperty("pointer").GetString() == pointer))),
            $"No error at {pointer} containing '{detail}': {response}");
    }
}
