using System.Text.Json;
using System.Text.Json.Nodes;
using ActionConnections.Connections.Integrations;
using ActionConnections.Errors;
using ActionConnections.Http;
using ActionConnections.Json;

namespace ActionConnections.Tests.Connections;

public sealed class IntegrationReadingTests
{
    private const string Pointer = "/data/attributes/integration";

    [Fact]
    public void CredentialSamples_CoverCatalog_OneSamplePerCredentialType()
    {
        var catalog = IntegrationCatalog.All.SelectMany(i => i.Credentials.Select(c => $"{i.Type}/{c.Type}"));
        var samples = CredentialSamples.List.Select(s => $"{s.IntegrationType}/{s.CredentialType}");
        Assert.Equal(catalog.Order(StringComparer.Ordinal), samples.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CredentialSamples.All), MemberType = typeof(CredentialSamples))]
    public void FullIntegration_Read_EchoesConfigurationAndBlanksSecrets(string credentialType)
    {
        var sample = CredentialSamples.Get(credentialType);

        var (integration, errors) = Read(sample.FullIntegration);

        Assert.Empty(errors);
        Assert.NotNull(integration);
        var json = JsonSerializer.Serialize<Integration>(integration, AppJson.Options);
        Assert.DoesNotContain("CANARY", json, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", integration.ToString(), StringComparison.Ordinal);
        using var output = JsonDocument.Parse(json);
        Assert.Equal(sample.IntegrationType, output.RootElement.GetProperty("type").GetString());
        var credentials = output.RootElement.GetProperty("credentials");
        Assert.Equal(sample.CredentialType, credentials.GetProperty("type").GetString());
        foreach (var (field, expected) in sample.EchoedFields)
        {
            Assert.Equal(expected, CredentialSamples.Find(credentials, field)?.GetString());
        }

        foreach (var field in sample.SecretFields)
        {
            Assert.Equal(string.Empty, CredentialSamples.Find(credentials, field)?.GetString());
        }
    }

    [Theory]
    [MemberData(nameof(CredentialSamples.All), MemberType = typeof(CredentialSamples))]
    public void FullIntegration_Secrets_YieldsEveryCanaryUnderItsName(string credentialType)
    {
        var sample = CredentialSamples.Get(credentialType);
        using var input = JsonDocument.Parse(sample.FullIntegration);
        var inputCredentials = input.RootElement.GetProperty("credentials");

        var (integration, errors) = Read(sample.FullIntegration);

        Assert.Empty(errors);
        var secrets = integration!.AnyCredentials.Secrets().ToDictionary(s => s.Key, s => s.Value.Reveal());
        var expected = sample.SecretFields.ToDictionary(f => f, f => CredentialSamples.Find(inputCredentials, f)!.Value.GetString()!);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), secrets.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.All(secrets.Values, v => Assert.Contains("CANARY", v, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CredentialSamples.All), MemberType = typeof(CredentialSamples))]
    public void MinimalIntegration_Read_HasNoErrors(string credentialType)
    {
        var sample = CredentialSamples.Get(credentialType);

        var (integration, errors) = Read(sample.MinimalIntegration);

        Assert.Empty(errors);
        Assert.NotNull(integration);
        Assert.Equal(sample.CredentialType, integration.AnyCredentials.Type);
    }

    [Theory]
    [MemberData(nameof(CredentialSamples.All), MemberType = typeof(CredentialSamples))]
    public void RequiredCredentialField_Missing_IsReportedAtItsPointer(string credentialType)
    {
        var sample = CredentialSamples.Get(credentialType);
        if (sample.RequiredFieldToDrop is not { } field)
        {
            return;
        }

        var integration = JsonNode.Parse(sample.FullIntegration)!;
        Assert.True(integration["credentials"]!.AsObject().Remove(field));

        var (_, errors) = Read(integration.ToJsonString());

        var error = Assert.Single(errors);
        Assert.Equal($"{Pointer}/credentials/{field}", error.Pointer);
    }

    [Theory]
    [MemberData(nameof(CredentialSamples.All), MemberType = typeof(CredentialSamples))]
    public void UnknownCredentialType_Read_IsReportedWithAllowedValues(string credentialType)
    {
        var sample = CredentialSamples.Get(credentialType);
        var integration = JsonNode.Parse(sample.FullIntegration)!;
        integration["credentials"]!["type"] = "NoSuchCredential";

        var (_, errors) = Read(integration.ToJsonString());

        var error = Assert.Single(errors);
        Assert.Equal($"{Pointer}/credentials/type", error.Pointer);
        Assert.Contains("NoSuchCredential", error.Detail, StringComparison.Ordinal);
        var allowed = CredentialSamples.List.Where(s => s.IntegrationType == sample.IntegrationType).Select(s => s.CredentialType);
        Assert.All(allowed, type => Assert.Contains(type, error.Detail, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CredentialSamples.All), MemberType = typeof(CredentialSamples))]
    public void UpdateIntegration_ReadUpdate_ChangesOneFieldAndKeepsTheRest(string credentialType)
    {
        var sample = CredentialSamples.Get(credentialType);
        var (current, readErrors) = Read(sample.FullIntegration);
        Assert.Empty(readErrors);
        var secretsBefore = current!.AnyCredentials.Secrets().ToDictionary(s => s.Key, s => s.Value.Reveal());

        var errors = new ValidationErrors();
        using var update = JsonDocument.Parse(sample.UpdateIntegration);
        var updated = IntegrationCatalog.ReadUpdate(JsonObjectReader.Open(update.RootElement, Pointer, errors)!.Value, current);

        Assert.Empty(errors.Errors);
        Assert.NotNull(updated);
        var secretsAfter = updated.AnyCredentials.Secrets().ToDictionary(s => s.Key, s => s.Value.Reveal());
        using var output = JsonDocument.Parse(JsonSerializer.Serialize<Integration>(updated, AppJson.Options));
        var credentials = output.RootElement.GetProperty("credentials");
        if (sample.SecretFields.Contains(sample.UpdatedField))
        {
            Assert.Equal(sample.UpdatedValue, secretsAfter[sample.UpdatedField]);
            secretsAfter[sample.UpdatedField] = secretsBefore[sample.UpdatedField];
        }
        else
        {
            Assert.Equal(sample.UpdatedValue, CredentialSamples.Find(credentials, sample.UpdatedField)?.GetString());
        }

        Assert.Equal(secretsBefore, secretsAfter);
        foreach (var (field, expected) in sample.EchoedFields.Where(f => f.Key != sample.UpdatedField))
        {
            Assert.Equal(expected, CredentialSamples.Find(credentials, field)?.GetString());
        }
    }

    private static (Integration? Integration, IReadOnlyList<ApiError> Errors) Read(string json)
    {
        var errors = new ValidationErrors();
        using var document = JsonDocument.Parse(json);
        var integration = IntegrationCatalog.Read(JsonObjectReader.Open(document.RootElement, Pointer, errors)!.Value);
        return (integration, errors.Errors);
    }
}
