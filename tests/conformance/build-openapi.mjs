#!/usr/bin/env node
// Builds the OpenAPI description the server publishes at GET /api/v2/openapi.json:
// Datadog's published contract for the operations this server implements (merged from the two
// reference fragments), plus this server's documented extensions. The same document is what the
// conformance suite validates every response against.
//
//   node build-openapi.mjs            writes src/ActionConnections.Server/OpenApi/openapi.json
//   node build-openapi.mjs --check    exits 1 if the committed file differs from what it would write
//
// Changes to Datadog's text are deliberate and few; each is listed in docs/COMPATIBILITY.md.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
export const referenceDir = process.env.ACTIONCONNECTIONS_REFERENCE_DIR ?? join(repo, "docs", "reference");
export const outputPath = join(repo, "src/ActionConnections.Server/OpenApi/openapi.json");

/** The operations of Datadog's fragments that this server implements. */
export const implementedOperations = {
  "openapi-action-connection.yaml": [
    "CreateActionConnection",
    "GetActionConnection",
    "UpdateActionConnection",
    "DeleteActionConnection",
    "ListAppKeyRegistrations",
    "GetAppKeyRegistration",
    "RegisterAppKey",
    "UnregisterAppKey",
  ],
  "openapi-key-management.yaml": [
    "ListAPIKeys",
    "CreateAPIKey",
    "GetAPIKey",
    "UpdateAPIKey",
    "DeleteAPIKey",
    "ListCurrentUserApplicationKeys",
    "CreateCurrentUserApplicationKey",
    "GetCurrentUserApplicationKey",
    "UpdateCurrentUserApplicationKey",
    "DeleteCurrentUserApplicationKey",
    "ListApplicationKeys",
    "GetApplicationKey",
    "UpdateApplicationKey",
    "DeleteApplicationKey",
    "ListServiceAccountApplicationKeys",
    "CreateServiceAccountApplicationKey",
    "GetServiceAccountApplicationKey",
    "UpdateServiceAccountApplicationKey",
    "DeleteServiceAccountApplicationKey",
  ],
};

/**
 * Datadog's YAML writes two name patterns with doubled backslashes, so taken literally they
 * reject names the real service accepts and echoes (recorded: token "token1", header
 * "header-name"). We publish the intended expressions (also valid with the `u` flag).
 */
const patternFixes = new Map([
  ["^[A-Za-z][A-Za-z\\\\d\\\\-\\\\_]*$", "^[A-Za-z][A-Za-z\\d\\-_]*$"],
  ["^[A-Za-z][A-Za-z\\\\d]*$", "^[A-Za-z][A-Za-z\\d]*$"],
]);

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function load(name) {
  return parse(readFileSync(join(referenceDir, name), "utf8"));
}

function sortKeys(object) {
  return Object.fromEntries(Object.keys(object).sort().map((key) => [key, object[key]]));
}

function mergeComponents(target, source, file) {
  for (const [section, entries] of Object.entries(source.components ?? {})) {
    target[section] ??= {};
    for (const [name, value] of Object.entries(entries)) {
      if (name in target[section] && JSON.stringify(target[section][name]) !== JSON.stringify(value)) {
        throw new Error(`components.${section}.${name} differs between fragments (${file})`);
      }
      target[section][name] = value;
    }
  }
}

function walk(value, visit) {
  if (Array.isArray(value)) {
    value.forEach((item) => walk(item, visit));
  } else if (value && typeof value === "object") {
    visit(value);
    Object.values(value).forEach((item) => walk(item, visit));
  }
}

/** Keeps only the components reachable from the paths (and the security schemes in use). */
function prune(document) {
  const reachable = new Set();
  const pending = [];
  const collect = (value) =>
    walk(value, (node) => {
      if (typeof node.$ref === "string" && !reachable.has(node.$ref)) {
        reachable.add(node.$ref);
        pending.push(node.$ref);
      }
    });
  collect(document.paths);
  while (pending.length > 0) {
    const ref = pending.pop();
    const [, section, name] = ref.match(/^#\/components\/([^/]+)\/([^/]+)$/) ?? [];
    const target = document.components[section]?.[name];
    if (!target) {
      throw new Error(`unresolved $ref ${ref}`);
    }
    collect(target);
  }
  for (const section of ["schemas", "parameters", "responses"]) {
    document.components[section] = sortKeys(
      Object.fromEntries(
        Object.entries(document.components[section] ?? {}).filter(([name]) => reachable.has(`#/components/${section}/${name}`)),
      ),
    );
  }
  const schemes = new Set(document.security.flatMap((requirement) => Object.keys(requirement)));
  document.components.securitySchemes = Object.fromEntries(
    Object.entries(document.components.securitySchemes).filter(([name]) => schemes.has(name)),
  );
}

function fixPatterns(document) {
  walk(document.components.schemas, (node) => {
    if (typeof node.pattern !== "string") {
      return;
    }
    if (patternFixes.has(node.pattern)) {
      node.pattern = patternFixes.get(node.pattern);
    } else if (node.pattern.includes("\\\\")) {
      throw new Error(`unexpected doubled backslash in pattern ${node.pattern}; decide and add it to patternFixes`);
    }
  });
}

const jsonApiError = (description) => ({
  content: { "application/json": { schema: { $ref: "#/components/schemas/JSONAPIErrorResponse" } } },
  description,
});

/** The integration type strings, in the order of the ActionConnectionIntegration union. */
function integrationTypes(schemas) {
  return schemas.ActionConnectionIntegration.oneOf.map(({ $ref }) => {
    const integration = schemas[$ref.split("/").pop()];
    const typeSchema = schemas[integration.properties.type.$ref.split("/").pop()];
    return typeSchema.enum[0];
  });
}

function addExtensions(document) {
  const schemas = document.components.schemas;
  schemas.ListActionConnectionsResponse = {
    description: "A page of action connections (extension of this server).",
    properties: {
      data: {
        description: "The connections of this page, ordered by name, then id.",
        items: { $ref: "#/components/schemas/ActionConnectionData" },
        type: "array",
      },
      meta: { $ref: "#/components/schemas/ListActionConnectionsResponseMeta" },
    },
    required: ["data", "meta"],
    type: "object",
  };
  schemas.ListActionConnectionsResponseMeta = {
    description: "Counts of the organisation's connections.",
    properties: {
      total: { description: "All connections of the organisation.", format: "int64", type: "integer" },
      total_filtered: { description: "The connections that match the filters.", format: "int64", type: "integer" },
    },
    required: ["total", "total_filtered"],
    type: "object",
  };

  document.paths["/api/v2/actions/connections"].get = {
    description:
      "List the action connections of the caller's organisation. This is an extension of this server: " +
      "Datadog's public API has no way to list connections. This API requires a registered application key.",
    operationId: "ListActionConnections",
    parameters: [
      {
        description: "The number of connections to return per page.",
        in: "query",
        name: "page[size]",
        required: false,
        schema: { default: 50, format: "int64", maximum: 1000, minimum: 1, type: "integer" },
      },
      {
        description: "The page number to return, from 0.",
        in: "query",
        name: "page[number]",
        required: false,
        schema: { default: 0, format: "int64", minimum: 0, type: "integer" },
      },
      {
        description: "Only connections whose name contains this string (case-insensitive).",
        in: "query",
        name: "filter[name]",
        required: false,
        schema: { maxLength: 512, type: "string" },
      },
      {
        description: "Only connections of this integration type.",
        in: "query",
        name: "filter[integration]",
        required: false,
        schema: { enum: integrationTypes(schemas), type: "string" },
      },
    ],
    responses: {
      200: {
        content: { "application/json": { schema: { $ref: "#/components/schemas/ListActionConnectionsResponse" } } },
        description: "OK",
      },
      400: jsonApiError("Bad Request"),
      403: jsonApiError("Forbidden"),
      429: jsonApiError("Too Many Request"),
    },
    summary: "List Action Connections",
    tags: ["Action Connection"],
    "x-actionconnections-extension": true,
    "x-permission": { operator: "OR", permissions: ["connections_read"] },
  };

  schemas.AuditEventsResponse = {
    description: "A page of audit events, newest first (extension of this server).",
    properties: {
      data: { items: { $ref: "#/components/schemas/AuditEventData" }, type: "array" },
      meta: {
        properties: { total_filtered: { description: "Events that match the filters.", format: "int64", type: "integer" } },
        required: ["total_filtered"],
        type: "object",
      },
    },
    required: ["data", "meta"],
    type: "object",
  };
  schemas.AuditEventData = {
    description: "One audited action. Never holds a secret or a key.",
    properties: {
      attributes: {
        properties: {
          action: { description: "What was done, e.g. connection.create.", type: "string" },
          api_key_id: { type: "string" },
          app_key_id: { type: "string" },
          client_address: { type: "string" },
          detail: { description: "What was done, for actions whose target alone does not say it. Never a secret.", type: "string" },
          outcome: { enum: ["success", "failure"], type: "string" },
          principal_id: { type: "string" },
          request_id: { type: "string" },
          source: { enum: ["api", "cli"], type: "string" },
          status: { description: "HTTP status answered.", format: "int32", type: "integer" },
          target_id: { type: "string" },
          target_type: { type: "string" },
          timestamp: { format: "date-time", type: "string" },
        },
        required: ["action", "outcome", "source", "timestamp"],
        type: "object",
      },
      id: { type: "string" },
      type: { enum: ["audit_event"], type: "string" },
    },
    required: ["id", "type", "attributes"],
    type: "object",
  };
  document.paths["/api/v2/actionconnections/audit_events"] = {
    get: {
      description:
        "The audit trail of the caller's organisation, newest first: every create, update and delete of a " +
        "connection or registration, every key creation and revocation, every authentication failure with " +
        "one of its API keys. Append-only. Extension of this server.",
      operationId: "ListAuditEvents",
      parameters: [
        { in: "query", name: "page[size]", required: false, schema: { default: 100, format: "int64", maximum: 1000, minimum: 1, type: "integer" } },
        { in: "query", name: "page[number]", required: false, schema: { default: 0, format: "int64", minimum: 0, type: "integer" } },
        { description: "Events at or after this time.", in: "query", name: "filter[from]", required: false, schema: { format: "date-time", type: "string" } },
        { description: "Events before this time.", in: "query", name: "filter[to]", required: false, schema: { format: "date-time", type: "string" } },
        { description: "Only this action.", in: "query", name: "filter[action]", required: false, schema: { type: "string" } },
      ],
      responses: {
        200: { content: { "application/json": { schema: { $ref: "#/components/schemas/AuditEventsResponse" } } }, description: "OK" },
        400: jsonApiError("Bad Request"),
        403: jsonApiError("Forbidden"),
        429: jsonApiError("Too many requests"),
      },
      summary: "List audit events",
      "x-actionconnections-extension": true,
      "x-permission": { operator: "OR", permissions: ["audit_logs_read"] },
    },
  };

  schemas.CloudCredentialsRequest = {
    description: "What to mint (extension of this server). The body is optional.",
    properties: {
      data: {
        properties: {
          attributes: {
            properties: {
              duration_seconds: {
                default: 900,
                description: "AWS session duration; validated but ignored by Azure and GCP, whose provider decides.",
                format: "int32",
                maximum: 43200,
                minimum: 900,
                type: "integer",
              },
              scopes: {
                description: "OAuth 2.0 scopes (Azure, GCP); ignored by AWS.",
                items: { maxLength: 512, minLength: 1, type: "string" },
                maxItems: 20,
                type: "array",
              },
            },
            type: "object",
          },
          type: { enum: ["credentials_request"], type: "string" },
        },
        required: ["type"],
        type: "object",
      },
    },
    required: ["data"],
    type: "object",
  };
  schemas.CloudCredentialsResponse = {
    description:
      "A short-lived credential minted from a cloud connection: AWS session credentials of the assumed role " +
      "(aws_credentials) or an OAuth 2.0 access token (oauth2_access_token). Extension of this server.",
    properties: {
      data: {
        properties: {
          attributes: {
            properties: {
              access_key_id: { type: "string" },
              access_token: { type: "string" },
              assumed_role_arn: { type: "string" },
              expiration: { description: "RFC 3339, UTC.", format: "date-time", type: "string" },
              scopes: { items: { type: "string" }, type: "array" },
              secret_access_key: { type: "string" },
              session_token: { type: "string" },
              token_type: { enum: ["Bearer"], type: "string" },
            },
            required: ["expiration"],
            type: "object",
          },
          id: { format: "uuid", type: "string" },
          type: { enum: ["aws_credentials", "oauth2_access_token"], type: "string" },
        },
        required: ["id", "type", "attributes"],
        type: "object",
      },
    },
    required: ["data"],
    type: "object",
  };
  document.paths["/api/v2/actionconnections/connections/{connection_id}/credentials"] = {
    post: {
      description:
        "Mint a short-lived credential from an AWS (sts:AssumeRole with the connection's external id), Azure " +
        "(client credentials) or GCP (service account JWT assertion) connection. Reused until five minutes before " +
        "it expires; dropped when the connection changes. Other integrations are used through http_requests (400). " +
        "This API requires a registered application key. Extension of this server.",
      operationId: "CreateConnectionCredentials",
      parameters: [{ description: "The ID of the action connection", in: "path", name: "connection_id", required: true, schema: { type: "string" } }],
      requestBody: {
        content: { "application/json": { schema: { $ref: "#/components/schemas/CloudCredentialsRequest" } } },
        required: false,
      },
      responses: {
        201: { content: { "application/json": { schema: { $ref: "#/components/schemas/CloudCredentialsResponse" } } }, description: "Created" },
        400: jsonApiError("Bad Request"),
        403: jsonApiError("Forbidden"),
        404: jsonApiError("Not Found"),
        422: jsonApiError("The provider refused: its error code and message"),
        429: jsonApiError("Too many requests"),
        502: jsonApiError("The provider could not be reached, answered with a server error, or the egress policy refused it"),
        504: jsonApiError("The provider did not answer in time"),
      },
      summary: "Mint short-lived cloud credentials",
      tags: ["Action Connection"],
      "x-actionconnections-extension": true,
      "x-permission": { operator: "OR", permissions: ["connections_resolve"] },
    },
  };

  document.paths["/api/v2/openapi.json"] = {
    get: {
      description: "This OpenAPI description. No keys are needed.",
      operationId: "GetOpenApiDocument",
      responses: {
        200: { content: { "application/json": { schema: { type: "object" } } }, description: "OK" },
      },
      security: [],
      summary: "Get the OpenAPI description",
      "x-actionconnections-extension": true,
    },
  };
}

export function buildDocument() {
  const document = {
    openapi: "3.0.0",
    info: {
      description:
        "Datadog's Action Connection API and key management API as served by ActionConnections, a self-hosted, " +
        "wire-compatible implementation, with this server's extensions (marked x-actionconnections-extension). " +
        "Generated by tests/conformance/build-openapi.mjs from Datadog's published OpenAPI description; " +
        "deliberate differences are listed in docs/COMPATIBILITY.md.",
      title: "ActionConnections API",
      version: "1.0",
    },
    servers: [{ description: "This server.", url: "/" }],
    security: [{ apiKeyAuth: [], appKeyAuth: [] }],
    tags: [],
    paths: {},
    components: {},
  };

  for (const [file, operationIds] of Object.entries(implementedOperations)) {
    const fragment = load(file);
    if (JSON.stringify(fragment.security) !== JSON.stringify(document.security)) {
      throw new Error(`${file}: unexpected global security`);
    }
    mergeComponents(document.components, fragment, file);
    const wanted = new Set(operationIds);
    const usedTags = new Set();
    for (const [path, item] of Object.entries(fragment.paths)) {
      for (const method of methods) {
        const operation = item[method];
        if (operation && wanted.delete(operation.operationId)) {
          document.paths[path] ??= {};
          document.paths[path][method] = operation;
          (operation.tags ?? []).forEach((tag) => usedTags.add(tag));
        }
      }
    }
    if (wanted.size > 0) {
      throw new Error(`${file}: operations not found: ${[...wanted].join(", ")}`);
    }
    document.tags.push(...fragment.tags.filter((tag) => usedTags.has(tag.name)));
  }

  addExtensions(document);
  fixPatterns(document);
  prune(document);
  document.paths = Object.fromEntries(
    Object.keys(document.paths)
      .sort()
      .map((path) => [path, sortKeys(document.paths[path])]),
  );
  document.components = {
    parameters: document.components.parameters,
    responses: document.components.responses,
    schemas: document.components.schemas,
    securitySchemes: document.components.securitySchemes,
  };
  return document;
}

export function renderDocument() {
  return JSON.stringify(buildDocument(), null, 2) + "\n";
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rendered = renderDocument();
  if (process.argv.includes("--check")) {
    const committed = existsSync(outputPath) ? readFileSync(outputPath, "utf8") : "";
    if (committed !== rendered) {
      console.error(`${outputPath} is out of date: run node tests/conformance/build-openapi.mjs`);
      process.exit(1);
    }
    console.log(`${outputPath} is up to date`);
  } else {
    writeFileSync(outputPath, rendered);
    console.log(`wrote ${outputPath} (${rendered.length} bytes)`);
  }
}
