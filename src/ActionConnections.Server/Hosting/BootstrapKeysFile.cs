using System.Globalization;
using ActionConnections.Identity;
using ActionConnections.Storage;

namespace ActionConnections.Hosting;

/// <summary>
/// Where generated bootstrap keys go: a file only the service's user can read, never standard
/// output, where they would end in the journal or a container log (issue 11, item 8). The file
/// is shell syntax, so <c>set -a; . FILE; set +a</c> exports <c>DD_API_KEY</c>,
/// <c>DD_APP_KEY</c> and <c>APP_KEY_ID</c>.
/// </summary>
internal static class BootstrapKeysFile
{
    public const string DefaultFileName = "bootstrap-keys.env";

    /// <summary>The file named by the setting, else <c>{DataDir}/bootstrap-keys.env</c>.</summary>
    public static string PathOf(BootstrapOptions options, string dataDir) =>
        Path.GetFullPath(!string.IsNullOrWhiteSpace(options.BootstrapKeysFile)
            ? options.BootstrapKeysFile
            : Path.Combine(DataDirectory.Ensure(dataDir), DefaultFileName));

    /// <summary>Writes the keys owner-only (0600), replacing a file left by an earlier store atomically.</summary>
    public static void Write(NewOrganization created, string path)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        DataDirectory.WriteNewOwnerOnly(temp, string.Create(CultureInfo.InvariantCulture, $"""
            # ActionConnections bootstrap keys of organisation {created.Org.Id:D}. Store them elsewhere, then delete this file.
            DD_API_KEY={created.ApiKey.Key}
            DD_APP_KEY={created.AppKey.Key}
            APP_KEY_ID={created.AppKey.Record.Id:D}

            """));
        File.Move(temp, path, overwrite: true);
    }
}
