using ActionConnections.Settings;
using Microsoft.Extensions.Options;

namespace ActionConnections.Storage;

/// <summary>Where the data lives: the data directory and the database (section <see cref="FeatureOptions.Section"/>).</summary>
internal sealed class StorageOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_DATA_DIR"] = nameof(DataDir),
        ["ACTIONCONNECTIONS_DB_PROVIDER"] = nameof(DbProvider),
        ["ACTIONCONNECTIONS_DB_CONNECTION"] = nameof(DbConnection),
        ["ACTIONCONNECTIONS_DB_MIGRATE_ON_START"] = nameof(DbMigrateOnStart),
    };

    /// <summary>Where the embedded database, the generated master key and other local state live.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>Storage provider: <c>sqlite</c> (embedded, in <see cref="DataDir"/>) or <c>postgres</c>.</summary>
    public string DbProvider { get; set; } = SqliteDatabase.Provider;

    /// <summary>
    /// Npgsql connection string; required for <c>postgres</c>, refused otherwise. It may hold a
    /// password: it is never logged or echoed in an error.
    /// </summary>
    public string? DbConnection { get; set; }

    /// <summary>
    /// Whether the server applies pending migrations when it starts. Default: true for
    /// <c>sqlite</c>, false for <c>postgres</c>, where the <c>migrate</c> verb runs once per
    /// release before the replicas roll.
    /// </summary>
    public bool? DbMigrateOnStart { get; set; }

    /// <summary><see cref="DbMigrateOnStart"/> with the provider's default applied.</summary>
    public bool MigratesOnStart => DbMigrateOnStart ?? DbProvider != PostgresDatabase.Provider;
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add("ACTIONCONNECTIONS_DATA_DIR must not be empty.");
        }

        switch (options.DbProvider)
        {
            case SqliteDatabase.Provider:
                if (!string.IsNullOrWhiteSpace(options.DbConnection))
                {
                    errors.Add("ACTIONCONNECTIONS_DB_CONNECTION is only used with ACTIONCONNECTIONS_DB_PROVIDER 'postgres'; the provider is 'sqlite', whose database lives in ACTIONCONNECTIONS_DATA_DIR.");
                }

                break;
            case PostgresDatabase.Provider:
                if (string.IsNullOrWhiteSpace(options.DbConnection))
                {
                    errors.Add("ACTIONCONNECTIONS_DB_CONNECTION is required with ACTIONCONNECTIONS_DB_PROVIDER 'postgres' (an Npgsql connection string, e.g. Host=db;Database=actionconnections;Username=ac;Password=…).");
                }
                else if (PostgresDatabase.CheckConnectionString(options.DbConnection) is { } problem)
                {
                    // Never the string itself in the message: it may hold a password.
                    errors.Add($"ACTIONCONNECTIONS_DB_CONNECTION {problem}");
                }

                break;
            default:
                errors.Add($"ACTIONCONNECTIONS_DB_PROVIDER '{options.DbProvider}' is not supported; allowed values: 'sqlite', 'postgres'.");
                break;
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
