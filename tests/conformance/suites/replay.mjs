// Replays every recorded request (Go, Python and TypeScript client scenarios, all Terraform
// acceptance tests, key management) against this server, with the recordings' preconditions
// set up here, and compares status, content type and body with what the real service answered
// (lib/shape.mjs; deliberate differences in lib/compatibility.mjs and docs/COMPATIBILITY.md).
import { v2 } from "@datadog/datadog-api-client";
import { authHeaders, connectionApi, env } from "../lib/env.mjs";
import { send } from "../lib/exchanges.mjs";
import { blocked, group, note, test } from "../lib/harness.mjs";
import { loadCassettes } from "../lib/cassettes.mjs";
import { compareBodies } from "../lib/shape.mjs";
import { allowances } from "../lib/compatibility.mjs";

/** Recorded ids of the scenarios' fixtures, mapped to what exists on this server. */
const FIXTURE_CONNECTION = "cb460d51-3c88-4e87-adac-d47131d0423d";
const FIXTURE_APP_KEY = "b7feea52-994e-4714-a100-1bd9eff5aee1";
const TERRAFORM_APP_KEY = "22222222-2222-2222-2222-222222222222";

const fixtures = { idMap: null };

function substitute(text, idMap) {
  let result = text ?? "";
  for (const [recorded, actual] of idMap) {
    result = result.replaceAll(recorded, actual);
  }
  return result;
}

/** A resource the recording created: later requests name it by its recorded id. */
function learnId(interaction, recordedText, actualText, idMap) {
  const recordedId = interaction.status === 201 ? tryJson(recordedText).value?.data?.id : undefined;
  const actualId = tryJson(actualText).value?.data?.id;
  if (typeof recordedId === "string" && typeof actualId === "string" && !idMap.has(recordedId)) {
    idMap.set(recordedId, actualId);
  }
}

const mediaType = (contentType) => (contentType ?? "").split(";")[0].trim().toLowerCase();

function tryJson(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

async function replay(cassette) {
  const idMap = new Map(await ensureFixtures());
  const differences = [];
  const used = new Map();
  let blockedOnIntegration = null;
  try {
    for (const [index, x] of cassette.interactions.entries()) {
      const label = `#${index} ${x.method} ${x.path}`;
      const body = substitute(x.requestBody, idMap);
      const headers = { ...authHeaders(), Accept: x.accept ?? "application/json" };
      if (body !== "") {
        headers["Content-Type"] = "application/json";
      }
      const response = await send(env.baseUrl, { method: x.method, path: substitute(x.path, idMap), body, headers });

      if (response.status !== x.status) {
        differences.push(`${label}: status ${response.status}, recorded ${x.status}: ${response.text.slice(0, 240)}`);
        learnId(x, x.responseBody, response.text, idMap);
        const unknownType = response.status === 400 && /unknown integration type '([^']+)'/.exec(response.text);
        if (unknownType) {
          blockedOnIntegration = unknownType[1];
        }
        continue;
      }
      if (x.responseBody === "") {
        if (response.text !== "") {
          differences.push(`${label}: recorded an empty body, got ${response.text.slice(0, 120)}`);
        }
        continue;
      }
      if (mediaType(response.contentType) !== mediaType(x.contentType)) {
        differences.push(`${label}: content type ${response.contentType}, recorded ${x.contentType}`);
      }
      const recorded = tryJson(x.responseBody);
      const actual = tryJson(response.text);
      if (!recorded.ok || !actual.ok) {
        if (x.responseBody !== response.text) {
          differences.push(`${label}: body ${response.text.slice(0, 120)}, recorded ${x.responseBody.slice(0, 120)}`);
        }
        continue;
      }
      const operationId = response.validation.operationId;
      const facts = {
        source: cassette.source,
        cassette: cassette.name,
        operationId,
        method: x.method,
        status: x.status,
        isList: x.method === "GET" && /^List/.test(operationId ?? ""),
      };
      const comparison = compareBodies(recorded.value, actual.value, { idMap, allowances, facts });
      differences.push(...comparison.differences.map((d) => `${label}: ${d}`));
      for (const { allowance } of comparison.allowed) {
        used.set(allowance, (used.get(allowance) ?? 0) + 1);
      }
      learnId(x, x.responseBody, response.text, idMap);
    }
  } finally {
    // The Terraform registration test unregisters the key it registered (mapped to ours).
    if (cassette.interactions.some((x) => x.method === "DELETE" && x.path.includes(TERRAFORM_APP_KEY))) {
      await connectionApi().registerAppKey({ appKeyId: env.appKeyId });
    }
  }
  if (differences.length > 0) {
    const error = new Error(differences.join("\n"));
    throw blockedOnIntegration ? blocked("integration", error) : error;
  }
  return used.size > 0 ? `deliberate differences: ${[...used].map(([id, n]) => `${id}×${n}`).join(", ")}` : "identical but for generated values";
}

/** Sets up, once, what the recorded scenarios assume exists; returns the id mapping. */
async function ensureFixtures() {
  if (fixtures.idMap) {
    return fixtures.idMap;
  }
  const client = connectionApi();
  await client.registerAppKey({ appKeyId: env.appKeyId });
  const fixture = await client.createActionConnection({
    body: v2.ObjectSerializer.deserialize(
      {
        data: {
          type: "action_connection",
          attributes: {
            name: "Cassette Connection",
            integration: { type: "AWS", credentials: { type: "AWSAssumeRole", account_id: "123456789123", role: "MyRoleUpdated" } },
          },
        },
      },
      "CreateActionConnectionRequest",
      "",
    ),
  });
  fixtures.idMap = new Map([
    [FIXTURE_CONNECTION, fixture.data.id],
    [FIXTURE_APP_KEY, env.appKeyId],
    [TERRAFORM_APP_KEY, env.appKeyId],
  ]);
  return fixtures.idMap;
}

group("Replay: preconditions", {}, () => {
  test("fixtures of the recorded scenarios: connection \"Cassette Connection\", a registered application key", async () => {
    const idMap = await ensureFixtures();
    return [...idMap].map(([recorded, actual]) => `${recorded} → ${actual}`).join("; ");
  });
});

const notReplayed = [];
const bySource = new Map();
for (const cassette of loadCassettes()) {
  if (cassette.interactions.some((x) => x.path === "/api/v2/service_accounts" || x.path.startsWith("/api/v2/users/"))) {
    notReplayed.push(`${cassette.source}/${cassette.name}`);
    continue;
  }
  bySource.set(cassette.source, [...(bySource.get(cassette.source) ?? []), cassette]);
}
for (const [source, cassettes] of bySource) {
  group(`Replay ${source}`, source === "key-management" ? { requires: "key-management" } : {}, () => {
    for (const cassette of cassettes) {
      test(cassette.name, () => replay(cassette));
    }
  });
}
if (notReplayed.length > 0) {
  note(`not replayed: ${notReplayed.length} cassettes that create service accounts through the Users API (/api/v2/service_accounts, /api/v2/users), which this server does not serve (docs/COMPATIBILITY.md): ${notReplayed.join(", ")}`);
}
