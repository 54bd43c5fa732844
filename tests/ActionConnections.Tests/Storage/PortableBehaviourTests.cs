using ActionConnections.Storage;
using ActionConnections.Tests.Infrastructure;
using ActionConnections.Tests.KeyManagement;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActionConnections.Tests.Storage;

/// <summary>
/// Where SQLite and PostgreSQL differ unless told otherwise, the API answers the same on both:
/// text sorts bytewise (SQLite's BINARY; PostgreSQL's "C" collation, whatever the database's),
/// case folding in filters is ASCII-only on both, and U+0000 (which PostgreSQL text cannot hold)
/// is refused up front on both.
/// </summary>
public sealed class PortableBehaviourTests
{
    private const string Connections = "/api/v2/actions/connections";

    [Fact]
    public async Task List_OrdersNamesBytewise()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        string[] names = ["b", "B", "a-c", "ab", "a c", "École", "ecole", "_x", "Z", "a", "ä", "a1", "a-b"];
        foreach (var name in names)
        {
            await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, name);
        }

        var listed = await app.Client.GetJsonAsync($"{Connections}?page[size]=100");

        Assert.Equal(200, listed.Status);
        Assert.Equal(names.Order(StringComparer.Ordinal), Names(listed));
    }

    [Fact]
    public async Task List_FilterByName_FoldsAsciiCaseOnly()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        foreach (var name in new[] { "ÉCOLE", "école", "Ecole", "ECOLE" })
        {
            await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, name);
        }

        var accented = await app.Client.GetJsonAsync($"{Connections}?filter[name]={Uri.EscapeDataString("éCOLE")}");
        var plain = await app.Client.GetJsonAsync($"{Connections}?filter[name]=ecole");

        Assert.Equal(new[] { "école" }, Names(accented));
        Assert.Equal(new[] { "ECOLE", "Ecole" }, Names(plain));
        Assert.Equal("""{"total":4,"total_filtered":2}""", plain.Json.GetProperty("meta").GetRawText());
    }

    [Fact]
    public async Task CreateAndUpdate_NameWithNulCharacter_Return400()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();
        var id = await app.Client.CreateAsync(ConnectionBodies.AwsIntegration, "fine");

        var created = await app.Client.SendJsonAsync(HttpMethod.Post, Connections, ConnectionBodies.Create(ConnectionBodies.AwsIntegration, "a\\u0000b"));
        var updated = await app.Client.SendJsonAsync(HttpMethod.Patch, $"{Connections}/{id}", ConnectionBodies.Update("""{"name":"a\u0000b"}"""));

        foreach (var response in new[] { created, updated })
        {
            Assert.Equal(400, response.Status);
            var error = Assert.Single(response.Json.GetProperty("errors").EnumerateArray());
            Assert.Equal("/data/attributes/name", error.GetProperty("source").GetProperty("pointer").GetString());
            Assert.Equal("name must not contain the character U+0000", error.GetProperty("detail").GetString());
        }

        Assert.Equal(new[] { "fine" }, Names(await app.Client.GetJsonAsync(Connections)));
    }

    [Fact]
    public async Task List_FilterWithNulCharacter_Returns400()
    {
        await using var app = await TestApp.StartAsync();
        await app.RegisterBootstrapKeyAsync();

        var response = await app.Client.GetJsonAsync($"{Connections}?filter[name]=a%00b");

        Assert.Equal(400, response.Status);
        var error = Assert.Single(response.Json.GetProperty("errors").EnumerateArray());
        Assert.Equal("filter[name]", error.GetProperty("source").GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task KeyNames_WithNulCharacter_Return400()
    {
        await using var app = await TestApp.StartAsync();

        var apiKey = await app.Client.SendJsonAsync(HttpMethod.Post, KeyApiClient.ApiKeysPath, """{"data":{"type":"api_keys","attributes":{"name":"x\u0000y"}}}""");
        var appKey = await app.Client.SendJsonAsync(HttpMethod.Post, KeyApiClient.MyAppKeysPath, """{"data":{"type":"application_keys","attributes":{"name":"x\u0000y"}}}""");

        Assert.Equal((400, """{"errors":["data.attributes.name must not contain the character U+0000"]}"""), (apiKey.Status, apiKey.Body));
        Assert.Equal((400, """{"errors":["data.attributes.name must not contain the character U+0000"]}"""), (appKey.Status, appKey.Body));
    }

    /// <summary>
    /// The guard for later migrations: every text column compares bytewise. On PostgreSQL each
    /// needs <c>COLLATE "C"</c> (<see cref="Migrations.PostgresText"/>); on SQLite none may
    /// declare another collation.
    /// </summary>
    [Fact]
    public async Task Schema_EveryTextColumn_ComparesBytewise()
    {
        await using var app = await TestApp.StartAsync();
        var offenders = new List<string>();
        var columns = 0;
        if (TestStore.IsPostgres)
        {
            await using var connection = await app.Store.OpenPostgresAsync();
            await using var command = new NpgsqlCommand("""
                SELECT table_name, column_name, COALESCE(collation_name, '(database default)')
                FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'text'
                  AND table_name <> 'schema_migrations'; -- bookkeeping, never compared or sorted
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns++;
                if (reader.GetString(2) != "C")
                {
                    offenders.Add($"{reader.GetString(0)}.{reader.GetString(1)} ({reader.GetString(2)})");
                }
            }
        }
        else
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(app.DataDir, SqliteDatabase.FileName), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT m.name, p.name, p.type, m.sql FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table';";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                if (reader.GetString(2) == "TEXT")
                {
                    columns++;
                }

                if (reader.GetString(3).Contains("COLLATE", StringComparison.OrdinalIgnoreCase))
                {
                    offenders.Add($"{reader.GetString(0)}.{reader.GetString(1)}");
                }
            }
        }

        Assert.True(columns > 20, $"only {columns} text columns found");
        Assert.Empty(offenders);
    }

    private static string[] Names(TestResponse response) =>
        [.. response.Json.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("attributes").GetProperty("name").GetString()!)];
}
