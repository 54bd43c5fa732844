using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ActionConnections.Auth;
using ActionConnections.Hosting;
using ActionConnections.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// A real server (Kestrel on a loopback port) over a fresh store (<see cref="TestStore"/>: a data
/// directory on SQLite, a database of its own on the PostgreSQL pass), driven over HTTP. Each
/// test starts its own and disposes it; nothing is shared between tests.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    public const string ApiKey = "0123456789abcdef0123456789abcdef";
    public const string AppKey = "0123456789abcdef0123456789abcdef01234567";

    private readonly WebApplication _app;
    private readonly bool _ownsStore;
    private bool _stopped;

    private TestApp(WebApplication app, TestStore store, bool ownsStore, Uri baseAddress, CapturedLogs logs, NewOrganization? bootstrap, TestApp? primary)
    {
        _app = app;
        Store = store;
        _ownsStore = ownsStore;
        BaseAddress = baseAddress;
        Logs = logs;
        Bootstrap = bootstrap;
        OrgId = bootstrap?.Org.Id ?? primary?.OrgId ?? Guid.Empty;
        AdminId = bootstrap?.Admin.Id ?? primary?.AdminId ?? Guid.Empty;
        AppKeyId = bootstrap?.AppKey.Record.Id ?? primary?.AppKeyId ?? Guid.Empty;
        Client = CreateClient(ApiKey, AppKey);
    }

    public TestStore Store { get; }

    public string DataDir => Store.DataDir;

    public Uri BaseAddress { get; }

    public CapturedLogs Logs { get; }

    /// <summary>Client of the bootstrap admin (keys <see cref="ApiKey"/> / <see cref="AppKey"/>).</summary>
    public HttpClient Client { get; }

    /// <summary>The organisation this start created (with any generated keys), or null when the store was not empty.</summary>
    public NewOrganization? Bootstrap { get; }

    public Guid OrgId { get; }

    public Guid AdminId { get; }

    /// <summary>Id of the bootstrap application key (<see cref="AppKey"/>).</summary>
    public Guid AppKeyId { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a server over <paramref name="store"/> (which stays the caller's), or over a fresh
    /// store of its own, disposed with it. <paramref name="settings"/> may add or override
    /// <c>ActionConnections:*</c> settings. <see cref="Logs"/> captures every category from
    /// <paramref name="captureLevel"/> up, whatever the log levels of appsettings.json say.
    /// <paramref name="services"/> may replace a service after the server has registered its own
    /// (to observe what the server asks of a store, never to change an answer).
    /// </summary>
    public static Task<TestApp> StartAsync(
        IDictionary<string, string?>? settings = null, bool bootstrapKeys = true, TestStore? store = null, LogLevel captureLevel = LogLevel.Trace, Action<IServiceCollection>? services = null) =>
        StartAsync(settings, bootstrapKeys, store ?? TestStore.Create(), ownsStore: store is null, primary: null, captureLevel, services);

    /// <summary>
    /// Starts a second server over this one's store, as another replica would run: same settings,
    /// its own process state (rate-limit counters, pools). Ids of the bootstrap organisation are this one's.
    /// </summary>
    public Task<TestApp> StartReplicaAsync(IDictionary<string, string?>? settings = null) =>
        StartAsync(settings, bootstrapKeys: true, Store, ownsStore: false, primary: this, LogLevel.Trace, services: null);

    private static async Task<TestApp> StartAsync(
        IDictionary<string, string?>? settings, bool bootstrapKeys, TestStore store, bool ownsStore, TestApp? primary, LogLevel captureLevel, Action<IServiceCollection>? services)
    {
        var values = new Dictionary<string, string?>(store.Settings)
        {
            ["ActionConnections:DataDir"] = store.DataDir,
        };
        if (TestStore.IsPostgres)
        {
            // The provider's default is off (operators run 'migrate'); each test's database is new.
            values["ActionConnections:DbMigrateOnStart"] = "true";
        }

        // No cloud provider is reachable from a test unless the test points the server at a fake.
        values["ActionConnections:AwsStsEndpoint"] = CloudServer.Nowhere;
        values["ActionConnections:AzureAuthority"] = CloudServer.Nowhere;
        values["ActionConnections:GcpTokenUri"] = CloudServer.Nowhere + "/token";

        // Tests change keys behind the server's back (through the store, the CLI, another replica)
        // and expect the next request to see it: no authentication cache unless a test asks.
        values["ActionConnections:AuthCacheSeconds"] = "0";

        if (bootstrapKeys)
        {
            values["ActionConnections:BootstrapApiKey"] = ApiKey;
            values["ActionConnections:BootstrapAppKey"] = AppKey;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var logs = new CapturedLogs();
        var app = Program.BuildServer(["--urls", "http://127.0.0.1:0"], builder =>
        {
            // appsettings.json keeps framework categories at Warning. Leak checks must see what the
            // server writes at any level an operator may configure, so every configured level is
            // set to captureLevel; the server's own filters in code still apply, as in production.
            var levels = builder.Configuration.GetSection("Logging:LogLevel").GetChildren()
                .ToDictionary(level => $"Logging:LogLevel:{level.Key}", _ => (string?)captureLevel.ToString());
            levels["Logging:LogLevel:Default"] = captureLevel.ToString();
            builder.Configuration.AddInMemoryCollection(levels);
            builder.Configuration.AddInMemoryCollection(values);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(logs);
            services?.Invoke(builder.Services);
        });
        try
        {
            var created = await app.Services.GetRequiredService<StoreInitializer>().InitializeAsync(CancellationToken.None);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new TestApp(app, store, ownsStore, new Uri(address), logs, created, primary);
        }
        catch
        {
            await app.DisposeAsync();
            if (ownsStore)
            {
                await store.DisposeAsync();
            }

            throw;
        }
    }

    public HttpClient CreateClient(string? apiKey, string? appKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("DD-API-KEY", apiKey);
        }

        if (appKey is not null)
        {
            client.DefaultRequestHeaders.Add("DD-APPLICATION-KEY", appKey);
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public T Service<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Registers the bootstrap application key, as a client must before using connections.</summary>
    public async Task RegisterBootstrapKeyAsync()
    {
        var response = await Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{AppKeyId}");
        Assert.Equal(201, response.Status);
    }

    /// <summary>Creates another organisation (through the store, as the CLI does) and returns a client of its admin.</summary>
    public async Task<Tenant> CreateTenantAsync(string name = "Other org", bool registerKey = true)
    {
        var created = await Service<IIdentityStore>().CreateOrganizationAsync(name, "admin", null, null, CancellationToken.None);
        var tenant = new Tenant(created, CreateClient(created.ApiKey.Key, created.AppKey.Key));
        if (registerKey)
        {
            var response = await tenant.Client.SendJsonAsync(HttpMethod.Put, $"/api/v2/actions/app_key_registrations/{created.AppKey.Record.Id}");
            Assert.Equal(201, response.Status);
        }

        return tenant;
    }

    /// <summary>Creates a principal with a role and an application key (optionally scoped) in the bootstrap organisation.</summary>
    public async Task<(Principal Principal, HttpClient Client, Guid AppKeyId)> CreateUserAsync(Role role, IReadOnlyList<string>? scopes = null, PrincipalKind kind = PrincipalKind.User)
    {
        var identity = Service<IIdentityStore>();
        var principal = await identity.CreatePrincipalAsync(OrgId, kind, $"user-{Guid.NewGuid():N}", null, role, CancellationToken.None);
        var appKey = await identity.CreateAppKeyAsync(OrgId, principal.Id, "test key", scopes, CancellationToken.None);
        return (principal, CreateClient(ApiKey, appKey.Key), appKey.Record.Id);
    }

    /// <summary>Stops the server (a replica going away); the store stays.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        if (_ownsStore)
        {
            await Store.DisposeAsync();
        }
    }
}

internal sealed record Tenant(NewOrganization Created, HttpClient Client)
{
    public Guid OrgId => Created.Org.Id;

    public Guid AppKeyId => Created.AppKey.Record.Id;
}

/// <summary>A response read whole: status, headers, raw body and (when JSON) the parsed body.</summary>
internal sealed class TestResponse(int status, string body, string? contentType, HttpResponseMessage message)
{
    public int Status { get; } = status;

    public string Body { get; } = body;

    public string? ContentType { get; } = contentType;

    public HttpResponseMessage Message { get; } = message;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) =>
        Message.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : Message.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues) : null;

    public override string ToString() => $"{Status} {ContentType} {Body}";
}

internal static class HttpClientExtensions
{
    /// <summary>Sends a raw JSON string (or no body), as a client would put it on the wire.</summary>
    public static async Task<TestResponse> SendJsonAsync(this HttpClient client, HttpMethod method, string path, string? json = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new TestResponse((int)response.StatusCode, body, response.Content.Headers.ContentType?.MediaType, response);
    }

    public static Task<TestResponse> GetJsonAsync(this HttpClient client, string path) => client.SendJsonAsync(HttpMethod.Get, path);
}

internal static class RestrictionPolicies
{
    /// <summary>
    /// Makes <paramref name="principal"/> a resolver of the connection (the bootstrap admin, who may
    /// always manage policies, replaces them): without a policy only the author may use a connection.
    /// </summary>
    public static async Task GrantResolverAsync(this TestApp app, string connectionId, Principal principal)
    {
        var binding = $$"""{"relation":"resolver","principals":["user:{{principal.Id}}"]}""";
        var body = $$"""{"data":{"id":"connection:{{connectionId}}","type":"restriction_policy","attributes":{"bindings":[""" + binding + "]}}}";
        var response = await app.Client.SendJsonAsync(HttpMethod.Post, $"/api/v2/restriction_policy/connection:{connectionId}?allow_self_lockout=true", body);
        Assert.True(response.Status == 200, response.ToString());
    }
}
