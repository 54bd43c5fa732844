using System.Runtime.CompilerServices;

namespace ActionConnections.Tests.Infrastructure;

/// <summary>
/// Every server these tests start (in process or as a child process, which inherits this
/// environment) looks for its own AWS identity at start. Here it must find none unless a test
/// gives it one: no credentials of whoever runs the tests, no profile files, and never the
/// instance metadata service (169.254.169.254), which the SDK's default chain would otherwise try.
/// </summary>
internal static class CloudIsolation
{
    private static readonly string[] Cleared =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
    ];

    [ModuleInitializer]
    internal static void Isolate()
    {
        foreach (var name in Cleared)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials");
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", "/nonexistent/aws-config");
    }
}
