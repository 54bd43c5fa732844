namespace ActionConnections.Tests.Security;

/// <summary>
/// Tests that load the whole machine (thousands of requests, a server process killed and
/// restarted) or measure time (medians, clock-aligned rate-limit windows). xunit runs this
/// collection alone, after the parallel ones: the heavy tests do not slow the others, and the
/// timing tests are not slowed by them.
/// </summary>
[CollectionDefinition(nameof(SerialTests), DisableParallelization = true)]
public sealed class SerialTests;
