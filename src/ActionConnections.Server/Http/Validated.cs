using System.Diagnostics.CodeAnalysis;
using ActionConnections.Errors;

namespace ActionConnections.Http;

/// <summary>
/// The one "value or errors" type of every feature: something read and checked (a request body,
/// a query, a resource named by the path, the outcome of an update) or the error to answer
/// instead, in the request's API family's shape (<see cref="ErrorWriter"/>).
/// </summary>
internal readonly struct Validated<T>
{
    private readonly T? _value;

    private Validated(T? value, ApiProblem? problem)
    {
        _value = value;
        Problem = problem;
    }

    /// <summary>The error to answer; null when valid.</summary>
    public ApiProblem? Problem { get; }

    public static Validated<T> Valid(T value) => new(value, null);

    public static Validated<T> Invalid(ApiProblem problem) => new(default, problem);

    public static implicit operator Validated<T>(ApiProblem problem) => Invalid(problem);

    public bool TryGetValue([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out ApiProblem? problem)
    {
        value = _value!;
        problem = Problem;
        return problem is null;
    }
}

/// <summary>Shorthands that let the type argument be inferred.</summary>
internal static class Validated
{
    public static Validated<T> Valid<T>(T value) => Validated<T>.Valid(value);
}
