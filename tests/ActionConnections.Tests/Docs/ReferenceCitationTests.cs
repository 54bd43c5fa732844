using System.Text.RegularExpressions;
using ActionConnections.Tests.Infrastructure;

namespace ActionConnections.Tests.Docs;

/// <summary>
/// Every document the code, the tests and the docs cite is in the repository: a citation such as
/// <c>docs/reference/BEHAVIOR.md §7</c> must name a file that exists (from the repository root or
/// from the citing file's folder) and, with a <c>§</c>, a section that exists in it.
/// </summary>
public sealed partial class ReferenceCitationTests
{
    /// <summary>Where citations are looked for.</summary>
    private static readonly string[] Roots = ["src", "tests", "docs", "README.md"];

    /// <summary>
    /// Not searched: build output, packages, and the verbatim reference copies (their own citations
    /// name files of the repositories they come from).
    /// </summary>
    private static readonly string[] Skipped = ["bin", "obj", "node_modules", "docs/reference", "tests/conformance/reference"];

    private static readonly string[] Searched = [".cs", ".mjs", ".md", ".sh", ".csproj", ".props"];

    /// <summary>Files a run makes (ignored by git): cited as where to look, not expected in a checkout.</summary>
    private static readonly string[] Generated = ["bench/results/"];

    [Fact]
    public void Citations_InSourceTestsAndDocs_NameFilesAndSectionsThatExist()
    {
        var checkedCount = 0;
        var broken = new List<string>();
        foreach (var file in Files())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match citation in Citation().Matches(Url().Replace(lines[i], string.Empty)))
                {
                    if (Generated.Any(g => citation.Groups["path"].Value.StartsWith(g, StringComparison.Ordinal)))
                    {
                        continue;
                    }

                    checkedCount++;
                    var where = $"{Path.GetRelativePath(RepositoryFiles.Root, file)}:{i + 1}";
                    var cited = Resolve(file, citation.Groups["path"].Value);
                    if (cited is null)
                    {
                        broken.Add($"{where}: {citation.Groups["path"].Value} does not exist");
                    }
                    else if (citation.Groups["section"].Success && !HasSection(cited, citation.Groups["section"].Value))
                    {
                        broken.Add($"{where}: {citation.Value} has no such section");
                    }
                }
            }
        }

        Assert.True(checkedCount > 20, $"only {checkedCount} citations found: the search is broken");
        Assert.Empty(broken);
    }

    [Theory]
    [InlineData("see BEHAVIOR.md §7", false)]
    [InlineData("see docs/reference/BEHAVIOR.md §7", true)]
    [InlineData("see docs/reference/BEHAVIOR.md §77", false)]
    [InlineData("see docs/reference/KEY-MANAGEMENT.md", true)]
    [InlineData("see docs/reference/openapi-key-management.yaml", true)]
    [InlineData("see docs/reference/NOTHING.md", false)]
    public void Citation_FromTheRepositoryRoot_ResolvesOnlyWhenTheFileAndSectionExist(string text, bool resolves)
    {
        var citation = Citation().Match(text);
        Assert.True(citation.Success);
        var cited = Resolve(RepositoryFiles.PathOf("src/Program.cs"), citation.Groups["path"].Value);

        var ok = cited is not null && (!citation.Groups["section"].Success || HasSection(cited, citation.Groups["section"].Value));

        Assert.Equal(resolves, ok);
    }

    private static IEnumerable<string> Files()
    {
        foreach (var root in Roots.Select(RepositoryFiles.PathOf))
        {
            var files = File.Exists(root) ? [root] : Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories);
            foreach (var file in files)
            {
                var relative = Path.GetRelativePath(RepositoryFiles.Root, file).Replace(Path.DirectorySeparatorChar, '/');
                var skipped = Skipped.Any(s => relative.StartsWith(s + "/", StringComparison.Ordinal) || relative.Contains($"/{s}/", StringComparison.Ordinal));
                // This file's examples are citations that must not resolve.
                var self = relative.EndsWith($"/{nameof(ReferenceCitationTests)}.cs", StringComparison.Ordinal);
                if (!skipped && !self && Searched.Contains(Path.GetExtension(file)))
                {
                    yield return file;
                }
            }
        }
    }

    /// <summary>The cited file, from the repository root or from the citing file's folder; null when neither exists.</summary>
    private static string? Resolve(string citingFile, string path) =>
        new[] { RepositoryFiles.PathOf(path), Path.Combine(Path.GetDirectoryName(citingFile)!, path) }
            .Select(Path.GetFullPath)
            .FirstOrDefault(File.Exists);

    /// <summary>A heading numbered <paramref name="section"/> (<c>## 7.</c>, <c>### 4.2</c>).</summary>
    private static bool HasSection(string file, string section) =>
        File.ReadLines(file).Any(line => Regex.IsMatch(line, $@"^#+\s+{Regex.Escape(section)}[.\s]"));

    /// <summary>
    /// A document citation: an upper-case Markdown name (<c>BEHAVIOR.md</c>, <c>docs/SECURITY.md</c>),
    /// any Markdown path with a folder, or an OpenAPI fragment, with an optional <c>§n</c>. Names in
    /// string literals (a quote right before) are code, not citations.
    /// </summary>
    [GeneratedRegex(@"(?<![\w/.""'-])(?<path>(?:[\w.-]+/)*(?:[A-Z][A-Z0-9_-]*\.md|[\w.-]+\.md(?<=/[\w.-]+\.md)|openapi-[a-z-]+\.yaml))(?:\s+§(?<section>\d+(?:\.\d+)?))?")]
    private static partial Regex Citation();

    [GeneratedRegex(@"\w+://\S+")]
    private static partial Regex Url();
}
