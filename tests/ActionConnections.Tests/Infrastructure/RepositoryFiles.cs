namespace ActionConnections.Tests.Infrastructure;

/// <summary>Files of the repository the tests run from (found upwards from the test assembly).</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder that holds <c>ActionConnections.slnx</c>.</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ActionConnections.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ActionConnections.slnx above {AppContext.BaseDirectory}.");
    }
}
