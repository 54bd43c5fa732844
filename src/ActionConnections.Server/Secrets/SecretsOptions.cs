using ActionConnections.Settings;
using ActionConnections.Storage;
using Microsoft.Extensions.Options;

namespace ActionConnections.Secrets;

/// <summary>The master keys secrets are sealed under (section <see cref="FeatureOptions.Section"/>; ADR 0002).</summary>
internal sealed class SecretsOptions
{
    public static readonly IReadOnlyDictionary<string, string> EnvironmentVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ACTIONCONNECTIONS_MASTER_KEY"] = nameof(MasterKey),
        ["ACTIONCONNECTIONS_MASTER_KEY_FILE"] = nameof(MasterKeyFile),
        ["ACTIONCONNECTIONS_PREVIOUS_MASTER_KEYS"] = nameof(PreviousMasterKeys),
    };

    /// <summary>Base64 of 32 random bytes. Takes precedence over <see cref="MasterKeyFile"/>.</summary>
    public string? MasterKey { get; set; }

    /// <summary>File holding the master key (base64). Default: <c>{DataDir}/master.key</c>, generated on first start.</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>Comma-separated base64 keys that only decrypt: the keys a rotation moves away from.</summary>
    public string? PreviousMasterKeys { get; set; }
}

/// <summary>Reads the storage provider as configured (not its validated options: their problems are storage's to report).</summary>
internal sealed class SecretsOptionsValidator(IConfiguration configuration) : IValidateOptions<SecretsOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretsOptions options)
    {
        var provider = configuration[$"{FeatureOptions.Section}:{nameof(StorageOptions.DbProvider)}"] ?? new StorageOptions().DbProvider;

        // A key generated into one replica's data directory would differ on every replica: each
        // would fail to decrypt what the others wrote.
        if (provider == PostgresDatabase.Provider && string.IsNullOrWhiteSpace(options.MasterKey) && string.IsNullOrWhiteSpace(options.MasterKeyFile))
        {
            return ValidateOptionsResult.Fail("ACTIONCONNECTIONS_MASTER_KEY or ACTIONCONNECTIONS_MASTER_KEY_FILE must be set with ACTIONCONNECTIONS_DB_PROVIDER 'postgres': every replica needs the same master key, so it is never generated.");
        }

        return ValidateOptionsResult.Success;
    }
}
