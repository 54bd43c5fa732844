#!/usr/bin/env node
// Runs the conformance suites against the servers run.sh started (see lib/env.mjs), prints one
// line per test, the schema-validation coverage, and last a line `N passed, M failed`.
// Exit code 0 only if nothing failed. Optional argument: a regular expression selecting tests.
import { env } from "./lib/env.mjs";
import { Contract } from "./lib/contract.mjs";
import { exchanges } from "./lib/exchanges.mjs";
import { BLOCKERS, runAll } from "./lib/harness.mjs";

const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;

try {
  exchanges.contract = await Contract.load(env.baseUrl);
  // Tests may run alone (a filter): the bootstrap key is registered up front, as a user would.
  const registered = await fetch(new URL(`/api/v2/actions/app_key_registrations/${env.appKeyId}`, env.baseUrl), {
    method: "PUT",
    headers: { "DD-API-KEY": env.apiKey, "DD-APPLICATION-KEY": env.appKey },
  });
  if (registered.status !== 201) {
    throw new Error(`registering the bootstrap key answered ${registered.status}: ${await registered.text()}`);
  }
} catch (e) {
  console.log(`set-up failed: ${e.message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

// Which optional parts of the server answer at all (used only to label failures).
const probe = await fetch(new URL("/api/v2/api_keys", env.baseUrl), {
  headers: { "DD-API-KEY": env.apiKey, "DD-APPLICATION-KEY": env.appKey },
});
const features = { "key-management": probe.status !== 404 };
if (!features["key-management"]) {
  console.log(`note: GET /api/v2/api_keys answered 404: ${BLOCKERS["key-management"]}; those tests will fail and are labelled [blocked: key-management]`);
}

// The order matters: the contract first, connections set up the registered key, the replay
// maps the recordings' fixtures onto this server.
await import("./suites/contract.mjs");
await import("./suites/connections.mjs");
await import("./suites/errors.mjs");
await import("./suites/key-management.mjs");
await import("./suites/access.mjs");
await import("./suites/replay.mjs");

const results = await runAll({ features, filter });

console.log("");
console.log("Schema validation against the served contract (every response received), per operation: status×count; * = never exercised:");
const rows = exchanges.contract.coverageReport();
for (const operationId of [...new Set(rows.map((r) => r.operationId))]) {
  const cells = rows
    .filter((r) => r.operationId === operationId)
    .map((r) =>
      !r.documented
        ? `${r.status}×${r.invalid} (UNDOCUMENTED STATUS)`
        : r.valid + r.invalid === 0
          ? `${r.status}*`
          : `${r.status}×${r.valid + r.invalid}${r.invalid ? ` (${r.invalid} INVALID)` : ""}`,
    );
  console.log(`  ${operationId.padEnd(35)} ${cells.join("  ")}`);
}
const unmatched = exchanges.entries.filter((x) => x.validation.operationId === null).length;
console.log(`  responses validated: ${exchanges.entries.length - unmatched}; responses outside the contract: ${unmatched}`);

const passed = results.filter((r) => r.passed).length;
const failed = results.length - passed;
const byBlocker = new Map();
for (const r of results.filter((r) => !r.passed)) {
  byBlocker.set(r.blockedBy, (byBlocker.get(r.blockedBy) ?? 0) + 1);
}
console.log("");
for (const [blocker, count] of byBlocker) {
  console.log(blocker ? `${count} failed [blocked: ${blocker}]: ${BLOCKERS[blocker]}` : `${count} failed (not blocked: real failures)`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
