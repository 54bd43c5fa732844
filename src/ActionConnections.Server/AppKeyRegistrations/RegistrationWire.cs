using System.Text.Json.Serialization;

namespace ActionConnections.AppKeyRegistrations;

/// <summary>
/// <c>AppKeyRegistrationData</c>: the id is the application key's id. In <c>RegisterAppKeyResponse</c>
/// and <c>GetAppKeyRegistrationResponse</c> (<see cref="Json.JsonApiData{TData}"/>) and
/// <c>ListAppKeyRegistrationsResponse</c> (<see cref="Json.JsonApiList{TData, TMeta}"/>).
/// </summary>
internal sealed record AppKeyRegistrationData(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("type")] string Type = "app_key_registration");
