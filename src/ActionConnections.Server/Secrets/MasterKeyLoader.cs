using System.Security.Cryptography;
using ActionConnections.Hosting;

namespace ActionConnections.Secrets;

/// <summary>
/// Finds the master key: <c>ACTIONCONNECTIONS_MASTER_KEY</c>, else the file named by
/// <c>ACTIONCONNECTIONS_MASTER_KEY_FILE</c>, else <c>{DataDir}/master.key</c>, generated on first
/// start with owner-only permissions. The generated default is for development: a copy of the
/// data directory then holds both the ciphertext and its key (see the README).
/// </summary>
internal static class MasterKeyLoader
{
    public const string DefaultFileName = "master.key";

    public static MasterKeyRing Load(ServerOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.MasterKey))
        {
            return new MasterKeyRing(MasterKey.Parse(options.MasterKey, "ACTIONCONNECTIONS_MASTER_KEY"), []);
        }

        if (!string.IsNullOrWhiteSpace(options.MasterKeyFile))
        {
            if (!File.Exists(options.MasterKeyFile))
            {
                throw new StartupException($"ACTIONCONNECTIONS_MASTER_KEY_FILE names '{options.MasterKeyFile}', which does not exist.");
            }

            return new MasterKeyRing(MasterKey.Parse(File.ReadAllText(options.MasterKeyFile), options.MasterKeyFile), []);
        }

        var dataDir = DataDirectory.Ensure(options.DataDir);
        var path = Path.Combine(dataDir, DefaultFileName);
        if (!File.Exists(path))
        {
            var material = RandomNumberGenerator.GetBytes(32);
            try
            {
                DataDirectory.WriteNewOwnerOnly(path, Convert.ToBase64String(material) + "\n");
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process of this data directory created it first; use theirs.
            }
        }

        return new MasterKeyRing(MasterKey.Parse(File.ReadAllText(path), path), []);
    }
}
