// ActionConnectionApi through the official TypeScript client: every credential type through a
// full lifecycle, AWS's generated fields, app key registrations, and the list extension.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { v2 } from "@datadog/datadog-api-client";
import { authHeaders, connectionApi, env } from "../lib/env.mjs";
import { exchanges, send } from "../lib/exchanges.mjs";
import { group, test } from "../lib/harness.mjs";
import { assertFullyParsed, classifyCreateFailure, expectApiError, toModel, wire } from "../lib/checks.mjs";
import { credentialCases, expectedCredentials, SECRET_FIELDS } from "../lib/integrations.mjs";

const api = () => connectionApi();
const createRequest = (json) => toModel("CreateActionConnectionRequest", json);
const updateRequest = (json) => toModel("UpdateActionConnectionRequest", json);

/** The client put exactly this JSON on the wire. */
function assertSent(json) {
  assert.deepEqual(JSON.parse(exchanges.last().requestBody), json, "request body on the wire");
}

/** The raw JSON of the last response (what was on the wire, before the client mapped it). */
function lastJson() {
  return JSON.parse(exchanges.last().text);
}

function assertConnection(response, responseModel, { id, name, integrationType, credentialType }) {
  assert.ok(response instanceof responseModel, `not a ${responseModel.name}`);
  assertFullyParsed(response);
  const data = response.data;
  assert.ok(data instanceof v2.ActionConnectionData, "data is not an ActionConnectionData");
  assert.equal(data.type, "action_connection");
  if (id) {
    assert.equal(data.id, id);
  } else {
    assert.match(data.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
  assert.ok(data.attributes instanceof v2.ActionConnectionAttributes);
  assert.equal(data.attributes.name, name);
  const integration = data.attributes.integration;
  const integrationModel = v2[`${integrationType}Integration`];
  assert.ok(integration instanceof integrationModel, `integration is ${integration?.constructor?.name}, not ${integrationModel.name}`);
  assert.equal(integration.type, integrationType);
  assert.ok(integration.credentials instanceof v2[credentialType], `credentials are ${integration.credentials?.constructor?.name}, not ${credentialType}`);
  assert.equal(integration.credentials.type, credentialType);
  return data;
}

/** Secrets "" and non-secrets echoed, both in the typed model and on the wire. */
function assertCredentials(typed, raw, expected) {
  for (const [field, value] of Object.entries(expected)) {
    assert.deepEqual(raw[field], value, `wire credentials.${field}`);
    assert.deepEqual(wire(typed, field), value, `typed credentials.${field}`);
  }
  for (const secret of SECRET_FIELDS[raw.type]) {
    assert.equal(raw[secret], "", `secret ${secret} must be "" on the wire`);
  }
}

function assertAws(raw, previous) {
  assert.match(raw.external_id, /^[0-9a-f]{32}$/, "external_id");
  assert.match(raw.principal_id, /^\d{12}$/, "principal_id");
  if (previous) {
    assert.equal(raw.external_id, previous.external_id, "external_id must survive GET and PATCH");
    assert.equal(raw.principal_id, previous.principal_id);
  }
}

function assertHttp(typed, raw, { baseUrl, headerValue }) {
  assert.equal(typed.baseUrl, baseUrl);
  assert.equal(raw.base_url, baseUrl);
  const credentials = raw.credentials;
  assert.deepEqual(credentials.tokens, [{ name: "token1", type: "SECRET", value: "" }], "token values must be \"\"");
  assert.deepEqual(credentials.headers, [{ name: "header-name", value: headerValue }]);
  assert.deepEqual(credentials.url_parameters, [{ name: "urlParamName", value: "urlParamValue" }]);
  assert.deepEqual(credentials.body, { content: '{"key":"{{ token1 }}"}', content_type: "application/json" });
  const token = typed.credentials.tokens[0];
  assert.ok(token instanceof v2.HTTPToken);
  assert.equal(token.value, "");
  assert.ok(typed.credentials.body instanceof v2.HTTPBody);
}

group("ActionConnectionApi: app key registration", {}, () => {
  test("registerAppKey registers the bootstrap key (201, typed)", async () => {
    const response = await api().registerAppKey({ appKeyId: env.appKeyId });
    assert.ok(response instanceof v2.RegisterAppKeyResponse);
    assertFullyParsed(response);
    assert.equal(exchanges.last().status, 201);
    assert.ok(response.data instanceof v2.AppKeyRegistrationData);
    assert.equal(response.data.id, env.appKeyId);
    assert.equal(response.data.type, "app_key_registration");
  });

  test("registerAppKey again is idempotent (201)", async () => {
    const response = await api().registerAppKey({ appKeyId: env.appKeyId });
    assert.equal(exchanges.last().status, 201);
    assert.equal(response.data.id, env.appKeyId);
  });

  test("getAppKeyRegistration returns the registration", async () => {
    const response = await api().getAppKeyRegistration({ appKeyId: env.appKeyId });
    assert.ok(response instanceof v2.GetAppKeyRegistrationResponse);
    assertFullyParsed(response);
    assert.equal(response.data.id, env.appKeyId);
    assert.equal(response.data.type, "app_key_registration");
  });

  test("listAppKeyRegistrations pages with pageSize/pageNumber", async () => {
    const all = await api().listAppKeyRegistrations({});
    assert.ok(all instanceof v2.ListAppKeyRegistrationsResponse);
    assertFullyParsed(all);
    assert.ok(all.data.some((r) => r.id === env.appKeyId));
    assert.equal(all.meta.total, all.data.length);
    assert.equal(all.meta.totalFiltered, all.data.length);

    const seen = [];
    for (let page = 0; page <= all.meta.total; page++) {
      const response = await api().listAppKeyRegistrations({ pageSize: 1, pageNumber: page });
      assertFullyParsed(response);
      assert.equal(response.meta.total, all.meta.total);
      if (page < all.meta.total) {
        assert.equal(response.data.length, 1, `page ${page}`);
        assert.ok(response.data[0] instanceof v2.AppKeyRegistrationData);
        seen.push(response.data[0].id);
      } else {
        assert.deepEqual(response.data, [], "the page after the last is empty");
      }
    }
    assert.deepEqual(seen, all.data.map((r) => r.id), "pages of one, in order, give the whole list");
  });

  test("unregisterAppKey: 204, then the key is refused on connections (403) until registered again", async () => {
    const client = api();
    const result = await client.unregisterAppKey({ appKeyId: env.appKeyId });
    assert.equal(result, undefined);
    assert.equal(exchanges.last().status, 204);
    try {
      await expectApiError(client.getAppKeyRegistration({ appKeyId: env.appKeyId }), 404);
      const denied = await expectApiError(client.getActionConnection({ connectionId: randomUUID() }), 403);
      assert.match(denied.body.errors[0].detail, /regist/i, "the 403 says the key must be registered");
      await expectApiError(
        client.createActionConnection({ body: createRequest(credentialCases()[0].createBody) }),
        403,
      );
      await expectApiError(client.deleteActionConnection({ connectionId: randomUUID() }), 403);
    } finally {
      await client.registerAppKey({ appKeyId: env.appKeyId });
    }
    await client.getAppKeyRegistration({ appKeyId: env.appKeyId });
  });
});

group("ActionConnectionApi: every credential type, create → get → update → get → delete → get", {}, () => {
  for (const c of credentialCases()) {
    test(`${c.integrationType}/${c.credentialType}`, async () => {
      const client = api();
      const sent = c.createBody.data.attributes.integration;
      const name = c.createBody.data.attributes.name;

      // create
      let created;
      try {
        created = await client.createActionConnection({ body: createRequest(c.createBody) });
      } catch (e) {
        classifyCreateFailure(e, c.integrationType);
      }
      assertSent(c.createBody);
      assert.equal(exchanges.last().status, 201);
      const data = assertConnection(created, v2.CreateActionConnectionResponse, { name, ...c });
      const id = data.id;
      try {
        let raw = lastJson().data.attributes.integration;
        let expected = expectedCredentials(sent.credentials);
        assertCredentials(data.attributes.integration.credentials, raw.credentials, expected);
        const aws = c.credentialType === "AWSAssumeRole" ? raw.credentials : null;
        if (aws) {
          assertAws(aws);
        }
        if (c.credentialType === "HTTPTokenAuth") {
          assertHttp(data.attributes.integration, raw, { baseUrl: sent.base_url, headerValue: "header-value" });
        }

        // get
        const got = await client.getActionConnection({ connectionId: id });
        assertConnection(got, v2.GetActionConnectionResponse, { id, name, ...c });
        raw = lastJson().data.attributes.integration;
        assertCredentials(got.data.attributes.integration.credentials, raw.credentials, expected);
        if (aws) {
          assertAws(raw.credentials, aws);
        }
        if (c.credentialType === "HTTPTokenAuth") {
          assertHttp(got.data.attributes.integration, raw, { baseUrl: sent.base_url, headerValue: "header-value" });
        }

        // update: rename, change the non-secret fields, rotate the secrets
        const newName = `${name}-updated`;
        const updateBody = { data: { type: "action_connection", attributes: { name: newName, integration: c.updateIntegration } } };
        const updated = await client.updateActionConnection({
          connectionId: id,
          body: updateRequest(updateBody),
        });
        assertSent(updateBody);
        assert.equal(exchanges.last().status, 200);
        assertConnection(updated, v2.UpdateActionConnectionResponse, { id, name: newName, ...c });
        raw = lastJson().data.attributes.integration;
        expected = expectedCredentials(c.updateIntegration.credentials, expected);
        assertCredentials(updated.data.attributes.integration.credentials, raw.credentials, expected);
        if (aws) {
          assertAws(raw.credentials, aws);
        }
        if (c.credentialType === "HTTPTokenAuth") {
          assertHttp(updated.data.attributes.integration, raw, { baseUrl: c.updateIntegration.base_url, headerValue: "header-value-2" });
        }

        // get after update
        const again = await client.getActionConnection({ connectionId: id });
        assertConnection(again, v2.GetActionConnectionResponse, { id, name: newName, ...c });
        raw = lastJson().data.attributes.integration;
        assertCredentials(again.data.attributes.integration.credentials, raw.credentials, expected);
        if (aws) {
          assertAws(raw.credentials, aws);
        }
        if (c.credentialType === "HTTPTokenAuth") {
          assertHttp(again.data.attributes.integration, raw, { baseUrl: c.updateIntegration.base_url, headerValue: "header-value-2" });
        }
        // The undocumented members the real service sends arrive as additional properties.
        const extra = again.data.attributes.additionalProperties ?? {};
        assert.match(extra.created_at ?? "", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/, "created_at in Go's time format");
        assert.equal(typeof extra.acting_user_can_resolve, "boolean");
      } finally {
        // delete, then the connection is gone
        await client.deleteActionConnection({ connectionId: id });
        assert.equal(exchanges.last().status, 204);
        assert.equal(exchanges.last().text, "");
      }
      const gone = await expectApiError(client.getActionConnection({ connectionId: id }), 404);
      assert.equal(gone.body.errors[0].detail, "error getting connection: rpc error: code = NotFound desc = connection not found");
    });
  }
});

group("ActionConnectionApi: AWS generated fields, credential switches and tags", {}, () => {
  const awsBody = (name) => ({
    data: {
      type: "action_connection",
      attributes: {
        name,
        integration: { type: "AWS", credentials: { type: "AWSAssumeRole", account_id: "123456789012", role: "role" } },
      },
    },
  });

  test("AWS: external_id differs per connection and is regenerated only on request", async () => {
    const client = api();
    const a = await client.createActionConnection({ body: createRequest(awsBody("conformance aws a")) });
    const b = await client.createActionConnection({ body: createRequest(awsBody("conformance aws b")) });
    try {
      const idA = a.data.attributes.integration.credentials.externalId;
      const idB = b.data.attributes.integration.credentials.externalId;
      assert.match(idA, /^[0-9a-f]{32}$/);
      assert.notEqual(idA, idB, "external_id is unique per connection");
      assert.equal(a.data.attributes.integration.credentials.principalId, b.data.attributes.integration.credentials.principalId);

      const same = await client.updateActionConnection({
        connectionId: a.data.id,
        body: updateRequest({ data: { type: "action_connection", attributes: { integration: { type: "AWS", credentials: { type: "AWSAssumeRole", role: "other" } } } } }),
      });
      assert.equal(same.data.attributes.integration.credentials.externalId, idA);
      assert.equal(same.data.attributes.integration.credentials.role, "other");
      assert.equal(same.data.attributes.name, "conformance aws a", "a PATCH without name keeps it");

      const renewed = await client.updateActionConnection({
        connectionId: a.data.id,
        body: updateRequest({
          data: {
            type: "action_connection",
            attributes: { integration: { type: "AWS", credentials: { type: "AWSAssumeRole", generate_new_external_id: true } } },
          },
        }),
      });
      assertSent({
        data: {
          type: "action_connection",
          attributes: { integration: { type: "AWS", credentials: { type: "AWSAssumeRole", generate_new_external_id: true } } },
        },
      });
      assertFullyParsed(renewed);
      const renewedId = renewed.data.attributes.integration.credentials.externalId;
      assert.match(renewedId, /^[0-9a-f]{32}$/);
      assert.notEqual(renewedId, idA, "generate_new_external_id gives a new external_id");
      const got = await client.getActionConnection({ connectionId: a.data.id });
      assert.equal(got.data.attributes.integration.credentials.externalId, renewedId);
    } finally {
      await client.deleteActionConnection({ connectionId: a.data.id });
      await client.deleteActionConnection({ connectionId: b.data.id });
    }
  });

  test("Cloudflare: switching credential type takes a complete object of the new type", async () => {
    const client = api();
    let created;
    try {
      created = await client.createActionConnection({
        body: createRequest({
          data: {
            type: "action_connection",
            attributes: { name: "conformance cloudflare switch", integration: { type: "Cloudflare", credentials: { type: "CloudflareAPIToken", api_token: "t" } } },
          },
        }),
      });
    } catch (e) {
      classifyCreateFailure(e, "Cloudflare");
    }
    try {
      const switched = await client.updateActionConnection({
        connectionId: created.data.id,
        body: updateRequest({
          data: {
            type: "action_connection",
            attributes: {
              integration: {
                type: "Cloudflare",
                credentials: { type: "CloudflareGlobalAPIToken", auth_email: "ops@example.com", global_api_key: "g" },
              },
            },
          },
        }),
      });
      assertFullyParsed(switched);
      const credentials = switched.data.attributes.integration.credentials;
      assert.ok(credentials instanceof v2.CloudflareGlobalAPIToken);
      assert.equal(credentials.authEmail, "ops@example.com");
      assert.equal(credentials.globalApiKey, "");
    } finally {
      await client.deleteActionConnection({ connectionId: created.data.id });
    }
  });

  test("tags: sent on create, returned, replaced by update", async () => {
    const client = api();
    const created = await client.createActionConnection({
      body: createRequest({
        data: {
          type: "action_connection",
          attributes: {
            name: "conformance tags",
            tags: ["team:platform", "env:test"],
            integration: { type: "OpenAI", credentials: { type: "OpenAIAPIKey", api_token: "sk-test" } },
          },
        },
      }),
    });
    try {
      assertFullyParsed(created);
      assert.deepEqual(created.data.attributes.tags, ["team:platform", "env:test"]);
      const updated = await client.updateActionConnection({
        connectionId: created.data.id,
        body: updateRequest({ data: { type: "action_connection", attributes: { tags: ["env:prod"] } } }),
      });
      assert.deepEqual(updated.data.attributes.tags, ["env:prod"]);
      assert.equal(updated.data.attributes.integration.credentials.apiToken, "");
    } finally {
      await client.deleteActionConnection({ connectionId: created.data.id });
    }
  });
});

group("List extension: GET /api/v2/actions/connections", {}, () => {
  test("pages, filters and counts (validated against the served contract)", async () => {
    const client = api();
    const prefix = `conformance-list-${randomUUID().slice(0, 8)}`;
    const ids = [];
    try {
      for (const suffix of ["c", "a", "b"]) {
        const created = await client.createActionConnection({
          body: createRequest({
            data: {
              type: "action_connection",
              attributes: {
                name: `${prefix}-${suffix}`,
                integration: suffix === "b"
                  ? { type: "OpenAI", credentials: { type: "OpenAIAPIKey", api_token: "sk" } }
                  : { type: "AWS", credentials: { type: "AWSAssumeRole", account_id: "123456789012", role: "r" } },
              },
            },
          }),
        });
        ids.push(created.data.id);
      }
      const list = (query) =>
        send(env.baseUrl, { method: "GET", path: `/api/v2/actions/connections?${query}`, headers: { ...authHeaders(), Accept: "application/json" } });

      let page = await list(`filter[name]=${prefix.toUpperCase()}&page[size]=2&page[number]=0`);
      assert.equal(page.status, 200);
      let body = JSON.parse(page.text);
      assert.deepEqual(body.data.map((c) => c.attributes.name), [`${prefix}-a`, `${prefix}-b`], "ordered by name, filter case-insensitive");
      assert.equal(body.meta.total_filtered, 3);
      assert.ok(body.meta.total >= 3);
      assert.equal(body.data[1].attributes.integration.credentials.api_token, "", "secrets are \"\" in lists too");

      page = await list(`filter[name]=${prefix}&page[size]=2&page[number]=1`);
      body = JSON.parse(page.text);
      assert.deepEqual(body.data.map((c) => c.attributes.name), [`${prefix}-c`]);

      page = await list(`filter[name]=${prefix}&filter[integration]=OpenAI`);
      body = JSON.parse(page.text);
      assert.deepEqual(body.data.map((c) => c.attributes.name), [`${prefix}-b`]);
      assert.equal(body.meta.total_filtered, 1);

      page = await list("page[size]=1001");
      assert.equal(page.status, 400);
      page = await list("filter[integration]=NoSuchIntegration");
      assert.equal(page.status, 400);
    } finally {
      for (const id of ids) {
        await client.deleteActionConnection({ connectionId: id });
      }
    }
  });
});
