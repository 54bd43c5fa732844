using System.Text.Json;
using System.Text.Json.Nodes;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Connections;

/// <summary>
/// For every credential type, over HTTP: create → get → update → get → delete → get 404,
/// asserting every field; secrets are <c>""</c> in every response, still decrypt inside the
/// service, and their canary plaintexts appear in no response, log line or stored data.
/// </summary>
public sealed class ConnectionRoundTripTests
{
    private const string Connections = "/api/v2/actions/connections";

    [Theory]
    [MemberData(nameof(CredentialSamples.All), MemberType = typeof(CredentialSamples))]
    public async Task FullRoundTrip_EveryCredentialType_EchoesConfigurationAndHidesSecrets(string credentialType)
    {
        var sample = CredentialSamples.Get(credentialType);
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var bodies = new List<string>();
        var fullCredentials = JsonDocument.Parse(sample.FullIntegration).RootElement.GetProperty("credentials");

        var created = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(sample.FullIntegration, $"rt {credentialType}"));
        bodies.Add(created.Body);
        Assert.Equal(201, created.Status);
        var id = created.Json.GetProperty("data").GetProperty("id").GetString()!;
        AssertIntegration(sample, created, sample.EchoedFields);
        var secrets = await HttpTokenAuthUpdateTests.RevealAsync(app, id);
        Assert.Equal(
            sample.SecretFields.ToDictionary(f => f, f => CredentialSamples.Find(fullCredentials, f)!.Value.GetString()!),
            secrets);

        var fetched = await app.Client.GetJsonAsync($"{Connections}/{id}");
        bodies.Add(fetched.Body);
        Assert.Equal(200, fetched.Status);
        Assert.Equal(Integration(created).GetRawText(), Integration(fetched).GetRawText());
        Assert.Equal($"rt {credentialType}", fetched.Json.GetProperty("data").GetProperty("attributes").GetProperty("name").GetString());

        var updated = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update($$$"""{"integration":{{{sample.UpdateIntegration}}}}"""));
        bodies.Add(updated.Body);
        Assert.Equal(200, updated.Status);
        var expectedAfter = new Dictionary<string, string>(sample.EchoedFields);
        var expectedSecrets = new Dictionary<string, string>(secrets);
        if (sample.SecretFields.Contains(sample.UpdatedField))
        {
            expectedSecrets[sample.UpdatedField] = sample.UpdatedValue;
        }
        else
        {
            expectedAfter[sample.UpdatedField] = sample.UpdatedValue;
        }

        AssertIntegration(sample, updated, expectedAfter);
        Assert.Equal(expectedSecrets, await HttpTokenAuthUpdateTests.RevealAsync(app, id));

        var refetched = await app.Client.GetJsonAsync($"{Connections}/{id}");
        bodies.Add(refetched.Body);
        Assert.Equal(Integration(updated).GetRawText(), Integration(refetched).GetRawText());

        // While the row exists (PostgreSQL's dump shows live rows only; SQLite's files keep deleted ones too).
        var stored = await app.Store.ReadStoredTextAsync();
        Assert.Contains($"rt {credentialType}", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", stored, StringComparison.Ordinal);

        var deleted = await app.Client.SendJsonAsync(HttpMethod.Delete, $"{Connections}/{id}");
        Assert.Equal(204, deleted.Status);
        Assert.Equal(404, (await app.Client.GetJsonAsync($"{Connections}/{id}")).Status);

        Assert.All(bodies, body => Assert.DoesNotContain("CANARY", body, StringComparison.Ordinal));
        Assert.DoesNotContain("CANARY", app.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", await app.Store.ReadStoredTextAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CredentialSamples.All), MemberType = typeof(CredentialSamples))]
    public async Task Create_MinimalBody_Returns201(string credentialType)
    {
        var sample = CredentialSamples.Get(credentialType);
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(sample.MinimalIntegration));

        Assert.Equal(201, response.Status);
        Assert.Equal(credentialType, Integration(response).GetProperty("credentials").GetProperty("type").GetString());
    }

    [Theory]
    [MemberData(nameof(CredentialSamples.All), MemberType = typeof(CredentialSamples))]
    public async Task Create_MissingRequiredField_Returns400AtThatField(string credentialType)
    {
        var sample = CredentialSamples.Get(credentialType);
        if (sample.RequiredFieldToDrop is not { } field)
        {
            return;
        }

        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var integration = JsonNode.Parse(sample.FullIntegration)!;
        integration["credentials"]!.AsObject().Remove(field);

        var response = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(integration.ToJsonString()));

        Assert.Equal(400, response.Status);
        var error = Assert.Single(response.Json.GetProperty("errors").EnumerateArray());
        Assert.Equal($"/data/attributes/integration/credentials/{field}", error.GetProperty("source").GetProperty("pointer").GetString());
        Assert.Equal($"missing required field {field}", error.GetProperty("detail").GetString());
        Assert.Equal(0, (await app.Client.GetJsonAsync(Connections)).Json.GetProperty("meta").GetProperty("total").GetInt64());
    }

    private static JsonElement Integration(TestResponse response) =>
        response.Json.GetProperty("data").GetProperty("attributes").GetProperty("integration");

    private static void AssertIntegration(CredentialSample sample, TestResponse response, IReadOnlyDictionary<string, string> echoed)
    {
        var integration = Integration(response);
        Assert.Equal(sample.IntegrationType, integration.GetProperty("type").GetString());
        var credentials = integration.GetProperty("credentials");
        Assert.Equal(sample.CredentialType, credentials.GetProperty("type").GetString());
        foreach (var (path, value) in echoed)
        {
            Assert.Equal(value, CredentialSamples.Find(credentials, path)?.GetString());
        }

        foreach (var secret in sample.SecretFields)
        {
            var returned = CredentialSamples.Find(credentials, secret);
            Assert.True(returned is { ValueKind: JsonValueKind.String }, $"secret {secret} must be present");
            Assert.Equal(string.Empty, returned!.Value.GetString());
        }

        if (sample.IntegrationType == "AWS")
        {
            Assert.Matches("^[0-9a-f]{32}$", credentials.GetProperty("external_id").GetString()!);
            Assert.Equal("464622532012", credentials.GetProperty("principal_id").GetString());
        }
    }
}
