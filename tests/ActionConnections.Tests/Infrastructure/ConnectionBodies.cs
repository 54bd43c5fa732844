namespace ActionConnections.Tests.Infrastructure;

/// <summary>Raw request bodies of the connection operations, as the official clients send them.</summary>
internal static class ConnectionBodies
{
    public const string AwsIntegration = """{"credentials":{"account_id":"123456789123","role":"MyRoleUpdated","type":"AWSAssumeRole"},"type":"AWS"}""";

    public static string Create(string integrationJson, string name = "Cassette Connection") =>
        $$$"""{"data":{"attributes":{"integration":{{{integrationJson}}},"name":"{{{name}}}"},"type":"action_connection"}}""";

    public static string Update(string attributesJson) =>
        $$$"""{"data":{"attributes":{{{attributesJson}}},"type":"action_connection"}}""";

    /// <summary>Creates a connection and returns its id (asserting the 201).</summary>
    public static async Task<string> CreateAsync(this HttpClient client, string integrationJson, string name = "Cassette Connection")
    {
        var response = await client.SendJsonAsync(HttpMethod.Post, "/api/v2/actions/connections", Create(integrationJson, name));
        Assert.True(response.Status == 201, response.ToString());
        return response.Json.GetProperty("data").GetProperty("id").GetString()!;
    }
}
