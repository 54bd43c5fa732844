// Compares a response body we got with the one the real service sent for the same request.
// Same keys and JSON types recursively; values equal, except values the server generates
// (ids, timestamps, key secrets, caller-dependent flags), which must only be of the same kind.
// Differences allowed by lib/compatibility.mjs (each documented in docs/COMPATIBILITY.md) are
// reported as used allowances, not as failures.

/** Keys whose values are generated or depend on the caller: compared by kind, not value. */
const GENERATED_KEYS = new Set([
  "id",
  "external_id",
  "created_at",
  "last_updated",
  "modified_at",
  "last_used_at",
  "date_last_used",
  "key",
  "last4",
  "acting_user_can_resolve",
]);

const KINDS = [
  ["uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/],
  ["hex32", /^[0-9a-f]{32}$/],
  ["go-time", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/],
  ["iso-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/],
];

function kindOf(value) {
  if (typeof value !== "string") {
    return typeof value;
  }
  if (/^x+$/.test(value)) {
    return `redacted(${value.length})`; // recordings hide key secrets as x…x
  }
  return KINDS.find(([, pattern]) => pattern.test(value))?.[0] ?? "string";
}

function sameKind(recorded, actual) {
  const kind = kindOf(recorded);
  if (kind.startsWith("redacted(")) {
    return typeof actual === "string" && actual.length === recorded.length && /^[0-9a-f]+$/.test(actual);
  }
  return kind === kindOf(actual);
}

export function jsonType(value) {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/**
 * Returns { differences: [string], allowed: [{ allowance, path }] }.
 * `context` = { idMap, allowances, facts } where facts describe the exchange (for allowances).
 */
export function compareBodies(recorded, actual, context) {
  const result = { differences: [], allowed: [] };
  walk(recorded, actual, "", context, result);
  return result;
}

function allowance(context, rule, path) {
  return context.allowances.find((a) => a.rule === rule && a.path.test(path) && a.when(context.facts));
}

function note(context, result, rule, path, message) {
  const allowed = allowance(context, rule, path);
  if (allowed) {
    result.allowed.push({ allowance: allowed.id, path });
  } else {
    result.differences.push(`${path || "(body)"}: ${message}`);
  }
}

function walk(recorded, actual, path, context, result) {
  const expectedType = jsonType(recorded);
  const actualType = jsonType(actual);
  if (expectedType !== actualType) {
    note(context, result, "value", path, `recorded ${expectedType} ${JSON.stringify(recorded)?.slice(0, 80)}, got ${actualType} ${JSON.stringify(actual)?.slice(0, 80)}`);
    return;
  }
  if (expectedType === "object") {
    for (const key of Object.keys(recorded)) {
      const child = path ? `${path}.${key}` : key;
      if (!(key in actual)) {
        note(context, result, "missing-key", child, "recorded, missing here");
      } else {
        walk(recorded[key], actual[key], child, context, result);
      }
    }
    for (const key of Object.keys(actual)) {
      if (!(key in recorded)) {
        const child = path ? `${path}.${key}` : key;
        note(context, result, "extra-key", child, `not recorded, sent here (${JSON.stringify(actual[key])?.slice(0, 60)})`);
      }
    }
    return;
  }
  if (expectedType === "array") {
    const isList = path === "data" && context.facts.isList;
    if (isList) {
      // A listing of this server's own state: compare each item with the recorded item it is
      // closest to; the number of items depends on the organisation.
      for (const [index, item] of actual.entries()) {
        if (recorded.length === 0) {
          note(context, result, "value", `${path}[${index}]`, "recorded an empty list");
          continue;
        }
        let best = null;
        for (const candidate of recorded) {
          const trial = { differences: [], allowed: [] };
          walk(candidate, item, `${path}[]`, context, trial);
          if (!best || trial.differences.length < best.differences.length) {
            best = trial;
          }
        }
        result.differences.push(...best.differences);
        result.allowed.push(...best.allowed);
      }
      return;
    }
    if (recorded.length !== actual.length) {
      note(context, result, "value", path, `recorded ${recorded.length} items, got ${actual.length}`);
    }
    for (let i = 0; i < Math.min(recorded.length, actual.length); i++) {
      walk(recorded[i], actual[i], `${path}[]`, context, result);
    }
    return;
  }
  // scalars
  const key = path.split(".").pop().replace(/\[\]$/, "");
  if (typeof recorded === "string" && context.idMap.has(recorded)) {
    if (actual !== context.idMap.get(recorded)) {
      note(context, result, "value", path, `recorded id ${recorded} maps to ${context.idMap.get(recorded)}, got ${JSON.stringify(actual)}`);
    }
    return;
  }
  // A listing shows this organisation's state, not the recorded organisation's: besides the
  // type discriminators, values need only be of the same kind.
  if (GENERATED_KEYS.has(key) || (context.facts.isList && key !== "type")) {
    if (!sameKind(recorded, actual)) {
      note(context, result, "value", path, `generated value of another kind: recorded ${JSON.stringify(recorded)} (${kindOf(recorded)}), got ${JSON.stringify(actual)} (${kindOf(actual)})`);
    }
    return;
  }
  if (recorded === "" && actual !== "") {
    note(context, result, "value", path, `recorded "" (a secret), got ${JSON.stringify(actual)}`);
    return;
  }
  if (recorded !== actual) {
    note(context, result, "value", path, `recorded ${JSON.stringify(recorded)}, got ${JSON.stringify(actual)}`);
  }
}
