using ActionConnections.Connections.Integrations;

namespace ActionConnections.Connections;

/// <summary>
/// A stored connection. <see cref="Integration"/> holds no secret plaintext (its secrets are
/// <c>SecretString.Stored</c> references); the encrypted secrets are in <see cref="SealedSecrets"/>,
/// one ciphertext per secret name, each bound to this organisation, connection and name, all under
/// the master key <see cref="KeyId"/> (null when the connection has no secret).
/// </summary>
internal sealed record ConnectionRecord(
    Guid Id,
    Guid OrgId,
    string Name,
    Integration Integration,
    IReadOnlyDictionary<string, string> SealedSecrets,
    IReadOnlyList<string>? Tags,
    Guid CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version,
    string? KeyId)
{
    /// <summary>
    /// Secret name → the destination host it was entered for (<see cref="Destinations.BindingHost"/>):
    /// a use whose destination differs is refused until the secret is entered again. Absent
    /// for secrets stored before bindings were recorded; those count as bound to the current destination.
    /// </summary>
    public IReadOnlyDictionary<string, string> SecretHosts { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public override string ToString() => $"ConnectionRecord {{ Id = {Id}, OrgId = {OrgId}, Type = {Integration.Type}, Version = {Version} }}";

    public PublicConnection ToPublic() => new(Id, Name, Integration, Tags, CreatedBy, CreatedAt, UpdatedAt);
}

/// <summary>
/// What the API shows of a stored connection, and all that reads (GET, list) load: no secret
/// material at all, not even ciphertext.
/// </summary>
internal sealed record PublicConnection(
    Guid Id,
    string Name,
    Integration Integration,
    IReadOnlyList<string>? Tags,
    Guid CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Filters of the list extension; <paramref name="VisibleTo"/> keeps only what that caller may view.</summary>
internal sealed record ConnectionFilter(string? NameContains, string? IntegrationType, ConnectionViewer? VisibleTo = null);

/// <summary>Who the list is for: the restriction-policy visibility rule is applied in SQL, before paging and counting.</summary>
internal sealed record ConnectionViewer(Guid PrincipalId, Guid? RoleId);
