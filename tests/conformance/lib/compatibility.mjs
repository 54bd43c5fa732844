// Where this server deliberately answers differently from a recording. Every entry is listed,
// with its reason, in docs/COMPATIBILITY.md (same id). The replay reports which entries each
// cassette used; anything not covered here is a failure.
//
// rule: "extra-key" (we send a key the recording lacks), "missing-key" (the recording has a key
// we do not send) or "value" (same key, other value or type). `path` matches the dotted path of
// the difference (array items are written `[]`). `when` receives the exchange's facts:
// { source, cassette, operationId, method, status, recordedAt }.

const connectionResponse = (f) =>
  ["CreateActionConnection", "GetActionConnection", "UpdateActionConnection"].includes(f.operationId) && f.status < 300;

export const allowances = [
  {
    id: "C1-newer-members",
    rule: "extra-key",
    path: /^data(\[\])?\.(attributes\.(acting_user_can_resolve|created_at|last_updated|external_secrets_manager|is_favorite)|relationships)$/,
    when: connectionResponse,
  },
  {
    id: "C2-create-without-relationships",
    rule: "missing-key",
    path: /^data\.relationships$/,
    when: (f) => f.operationId === "CreateActionConnection" && f.status === 201,
  },
  {
    id: "C3-validation-errors",
    rule: "extra-key",
    path: /^errors\[\]\.(status|source)$/,
    when: (f) => ["CreateActionConnection", "UpdateActionConnection"].includes(f.operationId) && f.status === 400,
  },
  {
    id: "C3-validation-errors",
    rule: "value",
    path: /^errors\[\]\.detail$/,
    when: (f) => ["CreateActionConnection", "UpdateActionConnection"].includes(f.operationId) && f.status === 400,
  },
  {
    id: "K2-secret-only-on-create",
    rule: "missing-key",
    path: /^data\.attributes\.key$/,
    when: (f) => ["GetAPIKey", "UpdateAPIKey", "GetCurrentUserApplicationKey", "UpdateCurrentUserApplicationKey"].includes(f.operationId),
  },
  {
    id: "K3-no-usage-tracking",
    rule: "missing-key",
    path: /^data(\[\])?\.attributes\.(used_in_last_24_hours|last_used_date)$/,
    when: (f) => ["GetAPIKey", "ListAPIKeys"].includes(f.operationId),
  },
  {
    id: "K4-included-only-on-request",
    rule: "missing-key",
    path: /^included$/,
    when: (f) => f.operationId === "GetCurrentUserApplicationKey",
  },
  {
    id: "K1-newer-key-members",
    rule: "extra-key",
    path: /^data(\[\])?\.attributes\.(category|remote_config_read_enabled|date_last_used|last_used_at|private_action_runner_enroll_enabled)$/,
    when: (f) => f.source === "key-management",
  },
];
