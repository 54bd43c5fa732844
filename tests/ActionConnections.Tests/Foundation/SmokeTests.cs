using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Foundation;

public sealed class AuthenticationTests
{
    [Fact]
    public async Task ApiRequest_WithBootstrapKeys_IsAuthenticated()
    {
        await using var app = await TestApp.StartAsync();
        var response = await app.Client.GetJsonAsync("/api/v2/actions/app_key_registrations");
        Assert.Equal(200, response.Status);
        Assert.Equal("application/vnd.api+json", response.ContentType);
        Assert.Equal("""{"data":[],"meta":{"total":0,"total_filtered":0}}""", response.Body);
    }
}
