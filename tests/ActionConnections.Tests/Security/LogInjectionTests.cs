using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Security;

/// <summary>
/// Request-derived text reaches the service's log lines quoted and escaped (issue 11, item 3): a
/// client cannot forge a line with <c>%0d%0a</c> or send terminal escapes with <c>%1b[</c>.
/// </summary>
public sealed class LogInjectionTests
{
    [Fact]
    public async Task RejectedRequest_PathWithCrLfAndEscape_IsLoggedEscapedOnOneLine()
    {
        await using var app = await TestApp.StartAsync();
        using var stranger = app.CreateClient(new string('e', 32), new string('f', 40));

        var response = await stranger.GetJsonAsync("/api/v2/actions/connections/x%0d%0aInformation%20FORGED:%20admin%20logged%20in%1b[31m%e2%80%ae");

        Assert.Equal(403, response.Status);
        var ours = app.Logs.Entries.Where(e => e.Category.StartsWith("ActionConnections", StringComparison.Ordinal)).ToList();
        var rejected = Assert.Single(ours, e => e.Message.StartsWith("Rejected unauthenticated", StringComparison.Ordinal));
        Assert.Contains("\"/api/v2/actions/connections/x\\u000d\\u000aInformation FORGED: admin logged in\\u001b[31m\\u202e\"", rejected.Message, StringComparison.Ordinal);
        foreach (var text in ours.SelectMany(e => e.Values.Append(e.Message)))
        {
            Assert.DoesNotContain('\r', text);
            Assert.DoesNotContain('\n', text);
            Assert.DoesNotContain('\u001b', text);
            Assert.DoesNotContain('\u202e', text);
        }
    }
}
