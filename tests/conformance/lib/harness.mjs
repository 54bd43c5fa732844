// A tiny sequential test harness. Tests run one after another against the same servers (some
// unregister the bootstrap key for a moment, so nothing may run beside them). A test fails if
// it throws or if any response it received does not validate against the served contract.
import { exchanges } from "./exchanges.mjs";

/** Reasons a failure can be blocked on work that is not in this build; reported apart, still failed. */
export const BLOCKERS = {
  "key-management": "the key management endpoints (/api/v2/api_keys, …/application_keys) are not in this server build",
  integration: "the integration type is not implemented in this server build",
};

const registry = [];
let currentGroup = null;

/** Declares a group of tests. `requires: "key-management"` marks tests that need those endpoints. */
export function group(name, options, body) {
  currentGroup = { name, ...options };
  try {
    body();
  } finally {
    currentGroup = null;
  }
}

export function test(name, fn) {
  registry.push({ group: currentGroup, name, fn });
}

/** A line printed in order with the tests (not a test: it neither passes nor fails). */
export function note(text) {
  registry.push({ group: currentGroup, note: text });
}

/** Marks an error as blocked on missing server work (see BLOCKERS). */
export function blocked(blocker, error) {
  error.blockedBy = blocker;
  return error;
}

function indent(text, prefix = "      ") {
  const lines = String(text).split("\n");
  const shown = lines.slice(0, 40);
  if (lines.length > shown.length) {
    shown.push(`… ${lines.length - shown.length} more lines`);
  }
  return shown.map((line) => prefix + line).join("\n");
}

async function withTimeout(promise, ms, name) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every registered test in order; `features` says which optional server parts answered. */
export async function runAll({ features, filter }) {
  const results = [];
  for (const entry of registry) {
    if (entry.note) {
      if (!filter) {
        console.log(`note ${entry.note}`);
      }
      continue;
    }
    const fullName = entry.group ? `${entry.group.name} › ${entry.name}` : entry.name;
    if (filter && !filter.test(fullName)) {
      continue;
    }
    const mark = exchanges.mark();
    const started = performance.now();
    let error = null;
    let remark = null;
    try {
      remark = await withTimeout(Promise.resolve().then(() => entry.fn()), 60_000, fullName);
    } catch (e) {
      error = e;
    }
    const schemaErrors = exchanges.since(mark).flatMap((x) =>
      x.validation.errors.map((message) => `${x.method} ${new URL(x.url).pathname} → ${x.status}: ${message}`),
    );
    if (schemaErrors.length > 0) {
      const text = "response does not match the served contract:\n" + schemaErrors.join("\n");
      if (error) {
        error.message += "\n" + text;
      } else {
        error = new Error(text);
      }
    }
    let blockedBy = error?.blockedBy ?? null;
    const requires = entry.group?.requires;
    if (error && !blockedBy && requires && features[requires] === false) {
      blockedBy = requires;
    }
    const ms = Math.round(performance.now() - started);
    if (error) {
      const label = blockedBy ? `FAIL [blocked: ${blockedBy}]` : "FAIL";
      console.log(`${label} ${fullName} (${ms} ms)`);
      const where = blockedBy ? undefined : (error.stack ?? "").split("\n").find((line) => /\/(suites|lib)\//.test(line) && !/lib\/harness/.test(line));
      const message = blockedBy ? error.message.split("\n")[0] : error.message;
      console.log(indent(`${error.name && error.name !== "Error" ? error.name + ": " : ""}${message}${where ? "\n" + where.trim() : ""}`));
    } else {
      console.log(`ok   ${fullName} (${ms} ms)${typeof remark === "string" ? ` — ${remark}` : ""}`);
    }
    results.push({ name: fullName, passed: !error, blockedBy, error });
  }
  return results;
}
