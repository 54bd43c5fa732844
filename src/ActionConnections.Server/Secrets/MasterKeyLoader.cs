using System.Security.Cryptography;
using ActionConnections.Settings;
using ActionConnections.Storage;

namespace ActionConnections.Secrets;

/// <summary>
/// Finds the master keys. The active key (the one new ciphertexts are written under) is
/// <c>ACTIONCONNECTIONS_MASTER_KEY</c>, else the first key of the file named by
/// <c>ACTIONCONNECTIONS_MASTER_KEY_FILE</c>, else the first key of <c>{DataDir}/master.key</c>,
/// generated on first start with owner-only permissions. Further keys of the file and those of
/// <c>ACTIONCONNECTIONS_PREVIOUS_MASTER_KEYS</c> only decrypt: they are the keys being rotated
/// away from. The generated default is for development: a copy of the data directory then holds
/// both the ciphertext and its key (see the README).
/// </summary>
internal static class MasterKeyLoader
{
    public const string DefaultFileName = "master.key";

    /// <param name="options">The master key settings.</param>
    /// <param name="dataDir">The data directory, where the default key file is.</param>
    /// <param name="generateIfMissing">
    /// False for checks (<c>store verify</c>): a missing key file is an error there, since a new
    /// key could not decrypt anything stored.
    /// </param>
    public static MasterKeyRing Load(SecretsOptions options, string dataDir, bool generateIfMissing = true)
    {
        var previous = ParseList(options.PreviousMasterKeys, "ACTIONCONNECTIONS_PREVIOUS_MASTER_KEYS");
        if (!string.IsNullOrWhiteSpace(options.MasterKey))
        {
            return new MasterKeyRing(MasterKey.Parse(options.MasterKey, "ACTIONCONNECTIONS_MASTER_KEY"), previous);
        }

        var path = KeyFilePath(options, dataDir);
        if (!string.IsNullOrWhiteSpace(options.MasterKeyFile) && !File.Exists(path))
        {
            throw new StartupException($"ACTIONCONNECTIONS_MASTER_KEY_FILE names '{options.MasterKeyFile}', which does not exist.");
        }

        if (!File.Exists(path) && !generateIfMissing)
        {
            throw new StartupException($"No master key is configured and '{path}' does not exist. Set ACTIONCONNECTIONS_MASTER_KEY or ACTIONCONNECTIONS_MASTER_KEY_FILE, or put the key file there.");
        }

        if (!File.Exists(path))
        {
            try
            {
                DataDirectory.WriteNewOwnerOnly(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process of this data directory created it first; use theirs.
            }
        }

        RequireOwnerOnly(path);
        var keys = ReadFile(path);
        return new MasterKeyRing(keys[0], [.. keys.Skip(1), .. previous], () => ReadFile(path));
    }

    /// <summary>
    /// Refuses a key file that group or others may access, as ssh refuses such a private key:
    /// whoever can read it can decrypt every secret (issue 11, item 8).
    /// </summary>
    public static void RequireOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) != 0)
        {
            throw new StartupException(
                $"the master key file '{path}' is accessible by group or others (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}); make it owner-only, e.g. chmod 600 '{path}'.");
        }
    }

    /// <summary>The key file in use when no key is given in the environment.</summary>
    public static string KeyFilePath(SecretsOptions options, string dataDir) =>
        !string.IsNullOrWhiteSpace(options.MasterKeyFile)
            ? options.MasterKeyFile
            : Path.Combine(DataDirectory.Ensure(dataDir), DefaultFileName);

    /// <summary>Keys of a key file, active first: one base64 key a line; blank lines and <c>#</c> comments are ignored.</summary>
    public static IReadOnlyList<MasterKey> ReadFile(string path)
    {
        var keys = File.ReadAllLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => MasterKey.Parse(l, path))
            .ToList();
        return keys.Count > 0 ? keys : throw new StartupException($"The master key file '{path}' holds no key.");
    }

    /// <summary>Writes a key file (owner-only), replacing the old one atomically.</summary>
    public static void WriteFile(string path, IEnumerable<MasterKey> keys)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        DataDirectory.WriteNewOwnerOnly(temp, string.Concat(keys.Select(k => Convert.ToBase64String(k.Material) + "\n")));
        File.Move(temp, path, overwrite: true);
    }

    private static List<MasterKey> ParseList(string? text, string source) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : [.. text.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => MasterKey.Parse(k, source))];
}
