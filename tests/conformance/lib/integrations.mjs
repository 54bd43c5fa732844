// The 25 credential types, with the create bodies the real service accepted (Terraform
// cassettes) and, per type, which fields are secrets (docs/reference/BEHAVIOR.md §5) and an update
// to send. The fields and their kinds come from the server's integration catalogue, through
// integration-catalog.json (generated from it by the xunit suite; do not edit by hand).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { cassetteDir } from "./cassettes.mjs";

/** The catalogue: credential type → its integration and fields (name, kind, required, pattern). */
export const CATALOG = JSON.parse(readFileSync(new URL("./integration-catalog.json", import.meta.url), "utf8")).credentials;

/**
 * Secret fields per credential type: always present in responses, always "" (docs/reference/BEHAVIOR.md §5).
 * HTTPTokenAuth has none at the top level: its tokens[].value are handled apart.
 */
export const SECRET_FIELDS = Object.fromEntries(
  Object.entries(CATALOG).map(([type, credential]) => [
    type,
    credential.fields.filter((field) => field.kind === "secret").map((field) => field.name),
  ]),
);

/** Every free-text configuration field the create body set, changed on update (every secret is rotated too). */
function updatedFields(credentials) {
  const updated = {};
  for (const field of CATALOG[credentials.type].fields) {
    if (field.kind === "plain" && typeof credentials[field.name] === "string") {
      updated[field.name] = `${credentials[field.name]}-2`;
    }
  }
  return updated;
}

/**
 * One case per credential type: the Terraform acceptance test's create body, and an update that
 * renames, changes the non-secret fields and rotates the secrets.
 */
export function credentialCases() {
  const dir = join(cassetteDir, "terraform");
  return readdirSync(dir)
    .filter((file) => /^TestAccDatadogActionConnectionResource_.*\.yaml$/.test(file))
    .sort()
    .map((file) => {
      const cassette = parse(readFileSync(join(dir, file), "utf8"));
      const post = cassette.interactions.find((i) => i.request.method === "POST");
      const createBody = JSON.parse(post.request.body);
      const integration = createBody.data.attributes.integration;
      const credentialType = integration.credentials.type;
      if (!(credentialType in CATALOG)) {
        throw new Error(`${file}: ${credentialType} is not in the integration catalogue`);
      }
      return {
        file,
        integrationType: integration.type,
        credentialType,
        createBody,
        updateIntegration: updateFor(integration),
      };
    });
}

function updateFor(integration) {
  const credentials = integration.credentials;
  const type = credentials.type;
  if (type === "HTTPTokenAuth") {
    // Tokens and headers merge by name: token1 gets a new secret, the header a new value;
    // url_parameters and body are not sent and must be kept.
    return {
      type: "HTTP",
      base_url: `${integration.base_url}/v2`,
      credentials: {
        type,
        tokens: [{ name: "token1", type: "SECRET", value: "secret value 2" }],
        headers: [{ name: "header-name", value: "header-value-2" }],
      },
    };
  }
  const updated = { type, ...updatedFields(credentials) };
  for (const secret of SECRET_FIELDS[type]) {
    updated[secret] = `${credentials[secret]}-rotated`;
  }
  return { type: integration.type, credentials: updated };
}

/** What a response must say about the credentials: non-secrets echoed, secrets "". */
export function expectedCredentials(sent, previous = {}) {
  const expected = { ...previous };
  for (const [key, value] of Object.entries(sent)) {
    if (key === "tokens" || key === "headers" || key === "url_parameters" || key === "body") {
      continue; // HTTP lists: checked by the HTTP-specific expectations
    }
    expected[key] = SECRET_FIELDS[sent.type].includes(key) ? "" : value;
  }
  for (const secret of SECRET_FIELDS[sent.type]) {
    expected[secret] = "";
  }
  return expected;
}
