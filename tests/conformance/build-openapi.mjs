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
  "openapi-access.yaml": ["GetRestrictionPolicy", "UpdateRestrictionPolicy", "DeleteRestrictionPolicy", "ListRoles", "ListUsers"],
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

/**
 * An operation this server adds to Datadog's API: its success answer, the JSON:API errors it
 * answers (status to description), the extension mark, and the permission it needs in Datadog's
 * x-permission form (`["OR", "connections_read"]`; none for an operation without keys). Members
 * are written in the order every extension operation of the document has them.
 */
function extensionOperation({ description, operationId, parameters, requestBody, success, errors = {}, security, summary, tags, permission }) {
  const responses = {
    [success.status]: { content: { "application/json": { schema: success.schema } }, description: success.description },
  };
  for (const [status, text] of Object.entries(errors)) {
    responses[status] = jsonApiError(text);
  }
  const operation = { description, operationId, parameters, requestBody, responses, security, summary, tags };
  for (const key of Object.keys(operation)) {
    if (operation[key] === undefined) {
      delete operation[key];
    }
  }
  operation["x-actionconnections-extension"] = true;
  if (permission) {
    const [operator, ...permissions] = permission;
    operation["x-permission"] = { operator, permissions };
  }
  return operation;
}

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

  document.paths["/api/v2/actions/connections"].get = extensionOperation({
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
    success: { status: 200, schema: { $ref: "#/components/schemas/ListActionConnectionsResponse" }, description: "OK" },
    errors: {
      400: "Bad Request",
      403: "Forbidden",
      429: "Too Many Request",
    },
    summary: "List Action Connections",
    tags: ["Action Connection"],
    permission: ["OR", "connections_read"],
  });

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
          count: {
            description: "Authentication failures only: how many failures of one API key and client address (IPv6: its /64) in one period this event stands for.",
            format: "int64",
            type: "integer",
          },
          outcome: { enum: ["success", "failure"], type: "string" },
          principal_id: { type: "string" },
          request_id: { type: "string" },
          source: { enum: ["api", "cli"], type: "string" },
          status: { description: "HTTP status answered.", format: "int32", type: "integer" },
          target_id: { type: "string" },
          target_type: { type: "string" },
          detail: {
            description: "What was done, for actions whose target alone does not say it (connection.http_request: method, host, path without query, upstream status or error, duration).",
            type: "string",
          },
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
    get: extensionOperation({
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
      success: { status: 200, schema: { $ref: "#/components/schemas/AuditEventsResponse" }, description: "OK" },
      errors: {
        400: "Bad Request",
        403: "Forbidden",
        429: "Too many requests",
      },
      summary: "List audit events",
      permission: ["OR", "audit_logs_read"],
    }),
  };

  const nameValue = (description) => ({
    description,
    items: {
      properties: { name: { type: "string" }, value: { type: "string" } },
      required: ["name", "value"],
      type: "object",
    },
    type: "array",
  });
  schemas.ConnectionHttpRequest = {
    description: "A request to send through a connection (extension of this server).",
    properties: {
      data: {
        properties: {
          attributes: {
            properties: {
              body: {
                properties: {
                  content: { description: "The body. For multipart/form-data: a JSON array of {\"key\",\"value\"} pairs.", type: "string" },
                  content_type: { type: "string" },
                },
                type: "object",
              },
              aws: {
                description:
                  "AWS connections only: what the request is signed for with Signature Version 4 (the assumed role's " +
                  "temporary credentials). Each member defaults from a standard endpoint host ({service}.{region}.amazonaws.com, " +
                  "{service}.amazonaws.com); the region else from ACTIONCONNECTIONS_AWS_REGION. The service is required when the host does not name it.",
                properties: {
                  region: { description: "AWS region, e.g. us-east-1.", maxLength: 32, pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", type: "string" },
                  service: { description: "Signing name of the service, e.g. ec2, s3, execute-api.", maxLength: 64, pattern: "^[a-z0-9][a-z0-9-]{0,62}$", type: "string" },
                },
                type: "object",
              },
              follow_redirects: {
                default: false,
                description:
                  "Follow redirects (at most 5 hops, each checked by the egress policy). A signed AWS request follows only " +
                  "redirects on its own host, signed again; a redirect to another host is the answer.",
                type: "boolean",
              },
              headers: nameValue("Request headers. Host, Content-Length, Transfer-Encoding, Connection and other hop-by-hop headers, Expect, X-Forwarded-* and Forwarded are refused."),
              method: { enum: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"], type: "string" },
              timeout_seconds: { default: 30, format: "int32", maximum: 120, minimum: 1, type: "integer" },
              url: {
                description:
                  "An absolute http(s) URL on the connection's host, or a path joined onto its API base. AWS, Azure and GCP " +
                  "connections: an https URL on *.amazonaws.com or *.amazonaws.com.cn (AWS), management.azure.com or " +
                  "graph.microsoft.com (Azure; a path joins onto https://management.azure.com), *.googleapis.com (GCP), " +
                  "unless ACTIONCONNECTIONS_INTEGRATION_API_BASES names the integration's one base.",
                type: "string",
              },
              url_parameters: nameValue("Query parameters appended to the URL."),
            },
            required: ["method", "url"],
            type: "object",
          },
          type: { enum: ["http_request"], type: "string" },
        },
        required: ["type", "attributes"],
        type: "object",
      },
    },
    required: ["data"],
    type: "object",
  };
  schemas.ConnectionHttpResponse = {
    description: "What the upstream answered, every secret of the connection masked as ***.",
    properties: {
      data: {
        properties: {
          attributes: {
            properties: {
              body: {
                properties: {
                  content: { type: "string" },
                  content_type: { type: "string" },
                  encoding: { enum: ["utf-8", "base64"], type: "string" },
                },
                required: ["content", "encoding"],
                type: "object",
              },
              duration_ms: { format: "double", type: "number" },
              headers: nameValue("The upstream's response headers."),
              status: { description: "The upstream's status code.", format: "int32", type: "integer" },
              truncated: { description: "The body was longer than ACTIONCONNECTIONS_HTTP_RESPONSE_MAX_BYTES and was cut there.", type: "boolean" },
            },
            required: ["status", "headers", "body", "truncated", "duration_ms"],
            type: "object",
          },
          id: { description: "Id of this execution.", type: "string" },
          type: { enum: ["http_response"], type: "string" },
        },
        required: ["id", "type", "attributes"],
        type: "object",
      },
    },
    required: ["data"],
    type: "object",
  };
  document.paths["/api/v2/actionconnections/connections/{connection_id}/http_requests"] = {
    post: extensionOperation({
      description:
        "Send an HTTP request through a connection: the server adds the connection's credential, sends the request " +
        "under its egress policy and answers with what the upstream answered (200 whatever its status), every secret " +
        "masked. AWS connections sign the request with SigV4 as the assumed role; Azure and GCP connections send a " +
        "minted Bearer token (the same minting and cache as the credentials extension). Extension of this server.",
      operationId: "SendConnectionHttpRequest",
      parameters: [{ in: "path", name: "connection_id", required: true, schema: { type: "string" } }],
      requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/ConnectionHttpRequest" } } }, required: true },
      success: { status: 200, schema: { $ref: "#/components/schemas/ConnectionHttpResponse" }, description: "OK" },
      errors: {
        400: "Bad Request",
        403: "Forbidden: no connections_resolve permission, an unregistered key, or the egress policy (detail starts with \"egress denied:\")",
        404: "Not Found",
        409: "Conflict: a kept secret was entered for another destination",
        422: "Unprocessable Entity: the cloud provider refused to mint the connection's credential (its error code and message)",
        429: "Too many requests",
        502: "Bad Gateway: upstream or cloud provider unreachable, DNS or TLS failure",
        504: "Gateway Timeout",
      },
      summary: "Send an HTTP request through a connection",
      tags: ["Action Connection"],
      permission: ["OR", "connections_resolve"],
    }),
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
    post: extensionOperation({
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
      success: { status: 201, schema: { $ref: "#/components/schemas/CloudCredentialsResponse" }, description: "Created" },
      errors: {
        400: "Bad Request",
        403: "Forbidden",
        404: "Not Found",
        422: "The provider refused: its error code and message",
        429: "Too many requests",
        502: "The provider could not be reached, answered with a server error, or the egress policy refused it",
        504: "The provider did not answer in time",
      },
      summary: "Mint short-lived cloud credentials",
      tags: ["Action Connection"],
      permission: ["OR", "connections_resolve"],
    }),
  };

  // Restriction policies of connections: a connection the caller may not view, or that does not
  // exist, is a 404 (Datadog documents none; see docs/COMPATIBILITY.md). ListRoles reports a bad
  // query parameter as a 400 like ListUsers does.
  const notFound = {
    content: { "application/json": { schema: { $ref: "#/components/schemas/APIErrorResponse" } } },
    description: "Not Found: no such connection in the caller's organisation, or one the caller may not view.",
  };
  for (const method of ["get", "post", "delete"]) {
    document.paths["/api/v2/restriction_policy/{resource_id}"][method].responses["404"] = notFound;
  }
  document.paths["/api/v2/roles"].get.responses["400"] = {
    content: { "application/json": { schema: { $ref: "#/components/schemas/APIErrorResponse" } } },
    description: "Bad Request",
  };

  document.paths["/api/v2/actionconnections/connections/{connection_id}/resolve"] = {
    post: extensionOperation({
      description:
        "The connection as GetActionConnection shows it, with its secret fields filled in, for a customer's own " +
        "runner. Off unless the deployment sets ACTIONCONNECTIONS_RESOLVE_ENABLED=true. Needs a registered application " +
        "key whose scopes name connections_resolve explicitly, the permission connections_resolve and the relation " +
        "resolver on the connection. Audited as connection.resolve; answered with Cache-Control: no-store. " +
        "Extension of this server.",
      operationId: "ResolveActionConnection",
      parameters: [
        { description: "The ID of the action connection", in: "path", name: "connection_id", required: true, schema: { type: "string" } },
      ],
      success: { status: 200, schema: { $ref: "#/components/schemas/GetActionConnectionResponse" }, description: "OK" },
      errors: {
        400: "Bad Request",
        403: "Forbidden",
        404: "Not Found",
        429: "Too many requests",
      },
      summary: "Resolve an Action Connection",
      tags: ["Action Connection"],
      permission: ["AND", "connections_resolve"],
    }),
  };

  document.paths["/api/v2/openapi.json"] = {
    get: extensionOperation({
      description: "This OpenAPI description. No keys are needed.",
      operationId: "GetOpenApiDocument",
      success: { status: 200, schema: { type: "object" }, description: "OK" },
      security: [],
      summary: "Get the OpenAPI description",
    }),
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
