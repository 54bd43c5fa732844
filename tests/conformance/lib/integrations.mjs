// The 25 credential types, with the create bodies the real service accepted (Terraform
// cassettes) and, per type, which fields are secrets (BEHAVIOR.md §5) and an update to send.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { cassetteDir } from "./cassettes.mjs";

/** Secret fields per credential type: always present in responses, always "" (BEHAVIOR.md §5). */
export const SECRET_FIELDS = {
  AWSAssumeRole: [],
  AnthropicAPIKey: ["api_token"],
  AsanaAccessToken: ["access_token"],
  AzureTenant: ["client_secret"],
  CircleCIAPIKey: ["api_token"],
  ClickupAPIKey: ["api_token"],
  CloudflareAPIToken: ["api_token"],
  CloudflareGlobalAPIToken: ["global_api_key"],
  ConfigCatSDKKey: ["api_password", "sdk_key"],
  DatadogAPIKey: ["api_key", "app_key"],
  FastlyAPIKey: ["api_key"],
  FreshserviceAPIKey: ["api_key"],
  GCPServiceAccount: ["private_key"],
  GeminiAPIKey: ["api_key"],
  GitlabAPIKey: ["api_token"],
  GreyNoiseAPIKey: ["api_key"],
  HTTPTokenAuth: [], // tokens[].value, handled apart
  LaunchDarklyAPIKey: ["api_token"],
  NotionAPIKey: ["api_token"],
  OktaAPIToken: ["api_token"],
  OpenAIAPIKey: ["api_token"],
  ServiceNowBasicAuth: ["password"],
  SplitAPIKey: ["api_key"],
  StatsigAPIKey: ["api_key"],
  VirusTotalAPIKey: ["api_key"],
};

/** Non-secret fields to change on update (every secret is rotated too). */
const UPDATED_FIELDS = {
  AWSAssumeRole: { role: "role-updated" },
  AzureTenant: { app_client_id: "azure-client-id-2", custom_scopes: "https://graph.microsoft.com/.default", tenant_id: "azure-tenant-id-2" },
  CloudflareGlobalAPIToken: { auth_email: "admin@example.com" },
  ConfigCatSDKKey: { api_username: "configcat-user-2" },
  DatadogAPIKey: { datacenter: "us3.datadoghq.com", subdomain: "example2" },
  FreshserviceAPIKey: { domain: "example2.freshservice.com" },
  GCPServiceAccount: { service_account_email: "sa2@example.iam.gserviceaccount.com" },
  OktaAPIToken: { domain: "example2.okta.com" },
  ServiceNowBasicAuth: { instance: "example-instance-2", username: "service-now-user-2" },
};

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
      if (!(credentialType in SECRET_FIELDS)) {
        throw new Error(`${file}: no secret table entry for ${credentialType}`);
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
  const updated = { type, ...(UPDATED_FIELDS[type] ?? {}) };
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
