using System.Text.RegularExpressions;
using ActionConnections.Hosting;
using ActionConnections.Identity;
using ActionConnections.Storage;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Foundation;

/// <summary>First start over an empty store: one default organisation, with the operator's keys or generated ones.</summary>
public sealed partial class BootstrapTests
{
    private const string ListPath = "/api/v2/actions/app_key_registrations";

    [Fact]
    public async Task Start_WithBootstrapKeys_ThoseExactKeysAuthenticate()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.GetJsonAsync(ListPath);

        Assert.Equal(200, response.Status);
        Assert.NotNull(app.Bootstrap);
        Assert.Equal(TestApp.ApiKey, app.Bootstrap.ApiKey.Key);
        Assert.Equal(TestApp.AppKey, app.Bootstrap.AppKey.Key);
        Assert.Equal(StoreInitializer.DefaultOrganizationName, app.Bootstrap.Org.Name);
        Assert.Equal(Auth.Role.Admin, app.Bootstrap.Admin.Role);
    }

    [Fact]
    public async Task Announce_WithSuppliedKeys_DoesNotEchoThem()
    {
        await using var app = await TestApp.StartAsync();
        using var output = new StringWriter();

        StoreInitializer.Announce(app.Bootstrap!, keysFile: null, output);

        var text = output.ToString();
        Assert.DoesNotContain(TestApp.ApiKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestApp.AppKey, text, StringComparison.Ordinal);
        Assert.Contains(app.OrgId.ToString("D"), text, StringComparison.Ordinal);
        Assert.Contains($"/api/v2/actions/app_key_registrations/{app.AppKeyId:D}", text, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Start_WithoutBootstrapKeys_WritesGeneratedKeysOwnerOnlyToTheKeysFileNeverToTheConsole()
    {
        await using var app = await TestApp.StartAsync(bootstrapKeys: false);
        Assert.NotNull(app.Bootstrap);
        var path = Path.Combine(DataDirectory.Ensure(app.DataDir), BootstrapKeysFile.DefaultFileName);
        using var output = new StringWriter();

        BootstrapKeysFile.Write(app.Bootstrap, path);
        StoreInitializer.Announce(app.Bootstrap, path, output);

        var text = output.ToString();
        Assert.DoesNotContain(app.Bootstrap.ApiKey.Key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Bootstrap.AppKey.Key, text, StringComparison.Ordinal);
        Assert.Contains($"written to {path} (owner-only)", text, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var file = await File.ReadAllTextAsync(path);
        var apiKey = ApiKeyLine().Match(file);
        var appKey = AppKeyLine().Match(file);
        Assert.True(apiKey.Success, "DD_API_KEY line");
        Assert.True(appKey.Success, "DD_APP_KEY line");
        Assert.Contains($"APP_KEY_ID={app.Bootstrap.AppKey.Record.Id:D}\n", file, StringComparison.Ordinal);
        Assert.NotEqual(TestApp.ApiKey, apiKey.Groups[1].Value);
        using var client = app.CreateClient(apiKey.Groups[1].Value, appKey.Groups[1].Value);
        ApiAssert.JsonApiBody(await client.GetJsonAsync(ListPath), 200, """{"data":[],"meta":{"total":0,"total_filtered":0}}""");
        ApiAssert.JsonApiBody(await app.Client.GetJsonAsync(ListPath), 403, ApiAssert.ForbiddenBody);
    }

    [Fact]
    public async Task Start_SecondTimeOverSameDataDir_CreatesNoSecondOrganisationAndKeepsKeys()
    {
        await using var first = await TestApp.StartAsync(bootstrapKeys: false);
        var generated = first.Bootstrap!;

        // Bootstrap keys given now are ignored: they only seed an empty store.
        await using var second = await TestApp.StartAsync(bootstrapKeys: true, store: first.Store);

        Assert.Null(second.Bootstrap);
        var orgs = await second.Service<IIdentityStore>().ListOrganizationsAsync(CancellationToken.None);
        Assert.Equal(generated.Org.Id, Assert.Single(orgs).Id);
        using var client = second.CreateClient(generated.ApiKey.Key, generated.AppKey.Key);
        Assert.Equal(200, (await client.GetJsonAsync(ListPath)).Status);
        ApiAssert.JsonApiBody(await second.Client.GetJsonAsync(ListPath), 403, ApiAssert.ForbiddenBody);
    }

    [GeneratedRegex(@"^DD_API_KEY=([0-9a-f]{32})$", RegexOptions.Multiline)]
    private static partial Regex ApiKeyLine();

    [GeneratedRegex(@"^DD_APP_KEY=([0-9a-f]{40})$", RegexOptions.Multiline)]
    private static partial Regex AppKeyLine();
}
