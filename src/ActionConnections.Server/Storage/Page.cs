namespace ActionConnections.Storage;

/// <summary>One page of a list, with how many items the whole list has.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, long Total);
