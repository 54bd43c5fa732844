namespace ActionConnections.WebConsole.Forms;

/// <summary>What the connection form partial renders: the draft, and whether it edits a stored connection.</summary>
internal sealed record ConnectionFormView(ConnectionDraft Draft, bool IsEdit, string SubmitLabel, string CancelHref);
