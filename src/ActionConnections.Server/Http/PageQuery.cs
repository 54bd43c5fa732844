using System.Globalization;
using ActionConnections.Errors;

namespace ActionConnections.Http;

/// <summary>
/// <c>page[size]</c> and <c>page[number]</c> as Datadog's v2 API uses them: page numbers start
/// at 0. Anything that is not a whole number in range is a 400 naming the parameter.
/// </summary>
internal readonly record struct PageQuery(int Size, long Number)
{
    public const long MaxNumber = 1_000_000_000;

    public long Offset => Number * Size;

    public static Validated<PageQuery> Parse(IQueryCollection query, int defaultSize, int maxSize)
    {
        var size = (long)defaultSize;
        if (query.TryGetValue("page[size]", out var sizeText))
        {
            if (sizeText.Count != 1 || !long.TryParse(sizeText[0], NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > maxSize)
            {
                return ApiProblem.InvalidQuery("page[size]", $"expected an integer from 1 to {maxSize}");
            }
        }

        var number = 0L;
        if (query.TryGetValue("page[number]", out var numberText))
        {
            if (numberText.Count != 1 || !long.TryParse(numberText[0], NumberStyles.None, CultureInfo.InvariantCulture, out number) || number > MaxNumber)
            {
                return ApiProblem.InvalidQuery("page[number]", $"expected an integer from 0 to {MaxNumber}");
            }
        }

        return Validated<PageQuery>.Valid(new PageQuery((int)size, number));
    }
}
