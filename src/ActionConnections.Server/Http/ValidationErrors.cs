using ActionConnections.Errors;

namespace ActionConnections.Http;

/// <summary>Every problem found in one request body, each with the JSON pointer of its place.</summary>
internal sealed class ValidationErrors(BodyWording wording)
{
    /// <summary>Enough to fix a body; a hostile body cannot make the answer huge.</summary>
    public const int MaxReported = 100;

    private readonly List<ApiError> _errors = [];

    /// <summary>Errors worded for the Action Connection family.</summary>
    public ValidationErrors()
        : this(BodyWording.Fields)
    {
    }

    /// <summary>How the request's API family words its errors.</summary>
    public BodyWording Wording { get; } = wording;

    public bool Any => _errors.Count > 0;

    public IReadOnlyList<ApiError> Errors => _errors;

    public void Add(string pointer, string detail)
    {
        if (_errors.Count < MaxReported)
        {
            _errors.Add(new ApiError(detail, ApiError.GenericTitle, "400", pointer));
        }
    }

    public ApiProblem ToProblem() => ApiProblem.Validation(_errors);
}
