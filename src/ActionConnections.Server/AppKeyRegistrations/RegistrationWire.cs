using System.Text.Json.Serialization;

namespace ActionConnections.AppKeyRegistrations;

/// <summary><c>AppKeyRegistrationData</c>: the id is the application key's id.</summary>
internal sealed record AppKeyRegistrationData(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("type")] string Type = "app_key_registration");

/// <summary><c>RegisterAppKeyResponse</c> and <c>GetAppKeyRegistrationResponse</c>.</summary>
internal sealed record AppKeyRegistrationResponse([property: JsonPropertyName("data")] AppKeyRegistrationData Data);

/// <summary><c>ListAppKeyRegistrationsResponse</c>.</summary>
internal sealed record ListAppKeyRegistrationsResponse(
    [property: JsonPropertyName("data")] IReadOnlyList<AppKeyRegistrationData> Data,
    [property: JsonPropertyName("meta")] ListAppKeyRegistrationsMeta Meta);

internal sealed record ListAppKeyRegistrationsMeta(
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("total_filtered")] long TotalFiltered);
