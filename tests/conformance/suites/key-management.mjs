// KeyManagementApi through the official client, written against docs/reference/openapi-key-management.yaml
// and docs/reference/KEY-MANAGEMENT.md. Every group here needs the key management endpoints; where the server
// build lacks them the failures are labelled [blocked: key-management] (still counted as failed).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { v2 } from "@datadog/datadog-api-client";
import { configuration, connectionApi, env, keyManagementApi } from "../lib/env.mjs";
import { exchanges } from "../lib/exchanges.mjs";
import { group, test } from "../lib/harness.mjs";
import { assertFullyParsed, expectApiError, toModel } from "../lib/checks.mjs";

const KM = { requires: "key-management" };
const api = () => keyManagementApi();
const unique = (what) => `conformance ${what} ${randomUUID().slice(0, 8)}`;

const appKeyCreate = (name, scopes) =>
  toModel("ApplicationKeyCreateRequest", { data: { type: "application_keys", attributes: scopes === undefined ? { name } : { name, scopes } } });
const appKeyUpdate = (id, attributes) => toModel("ApplicationKeyUpdateRequest", { data: { id, type: "application_keys", attributes } });
const apiKeyCreate = (name) => toModel("APIKeyCreateRequest", { data: { type: "api_keys", attributes: { name } } });
const apiKeyUpdate = (id, name) => toModel("APIKeyUpdateRequest", { data: { id, type: "api_keys", attributes: { name } } });

/** The secret is shown once, in the 201 of a create (docs/COMPATIBILITY.md K2: keys are stored as hashes). */
function assertNoSecret() {
  assert.ok(!("key" in JSON.parse(exchanges.last().text).data.attributes), "the secret is returned only by the create (K2)");
}

/** On the wire, no list item carries the secret `key`. */
function assertNoSecretInList() {
  for (const item of JSON.parse(exchanges.last().text).data) {
    assert.ok(!("key" in item.attributes), `list item ${item.id} carries the secret`);
  }
}

function assertFullApplicationKey(response, { name, withKey }) {
  assert.ok(response instanceof v2.ApplicationKeyResponse, "not an ApplicationKeyResponse");
  assertFullyParsed(response);
  const data = response.data;
  assert.ok(data instanceof v2.FullApplicationKey, "data is not a FullApplicationKey");
  assert.equal(data.type, "application_keys");
  assert.match(data.id, /^[0-9a-f-]{36}$/);
  assert.equal(data.attributes.name, name);
  assert.equal(data.attributes.last4?.length, 4);
  if (withKey) {
    assert.match(data.attributes.key ?? "", /^[0-9a-f]{40}$/, "application key secret: 40 lowercase hex");
    assert.equal(data.attributes.last4, data.attributes.key.slice(-4));
  } else {
    assertNoSecret();
  }
  assert.ok(data.attributes.createdAt instanceof Date, "created_at parsed as a date-time");
  return data;
}

function assertFullApiKey(response, { name, withKey }) {
  assert.ok(response instanceof v2.APIKeyResponse, "not an APIKeyResponse");
  assertFullyParsed(response);
  const data = response.data;
  assert.ok(data instanceof v2.FullAPIKey, "data is not a FullAPIKey");
  assert.equal(data.type, "api_keys");
  assert.equal(data.attributes.name, name);
  assert.equal(data.attributes.last4?.length, 4);
  if (withKey) {
    assert.match(data.attributes.key ?? "", /^[0-9a-f]{32}$/, "API key secret: 32 lowercase hex");
    assert.equal(data.attributes.last4, data.attributes.key.slice(-4));
  } else {
    assertNoSecret();
  }
  return data;
}

group("KeyManagementApi: current user's application keys", KM, () => {
  test("create → find its id → list → get → update → delete → get 404", async () => {
    const client = api();
    const name = unique("app key");
    const created = await client.createCurrentUserApplicationKey({ body: appKeyCreate(name) });
    assert.equal(exchanges.last().status, 201);
    const data = assertFullApplicationKey(created, { name, withKey: true });
    const id = data.id;
    try {
      assert.equal(data.attributes.scopes, null, "unscoped key: scopes null");

      // find its id by name, as a user who lost it would
      const found = await client.listCurrentUserApplicationKeys({ filter: name });
      assert.ok(found instanceof v2.ListApplicationKeysResponse);
      assertFullyParsed(found);
      assert.deepEqual(found.data.map((k) => k.id), [id]);
      assert.ok(found.data[0] instanceof v2.PartialApplicationKey);
      assertNoSecretInList();

      const all = await client.listCurrentUserApplicationKeys({ pageSize: 100 });
      assert.ok(all.data.some((k) => k.id === id));
      assert.ok(all.data.some((k) => k.id === env.appKeyId), "the bootstrap key is the current user's");

      const got = await client.getCurrentUserApplicationKey({ appKeyId: id });
      assertFullApplicationKey(got, { name, withKey: false });
      assert.equal(got.data.id, id);

      const renamed = `${name} renamed`;
      const updated = await client.updateCurrentUserApplicationKey({ appKeyId: id, body: appKeyUpdate(id, { name: renamed }) });
      assertFullApplicationKey(updated, { name: renamed, withKey: false });

      // The new key works as a credential of this organisation.
      const withNewKey = connectionApi({ appKey: created.data.attributes.key });
      await withNewKey.listAppKeyRegistrations({});
    } finally {
      await client.deleteCurrentUserApplicationKey({ appKeyId: id });
    }
    assert.equal(exchanges.last().status, 204);
    const gone = await expectApiError(client.getCurrentUserApplicationKey({ appKeyId: id }), 404, v2.APIErrorResponse);
    assert.deepEqual(gone.body.errors, ["Application key not found"]);
    await expectApiError(client.deleteCurrentUserApplicationKey({ appKeyId: id }), 404, v2.APIErrorResponse);
  });

  test("create with scopes echoes them; an unknown scope is a 400", async () => {
    const client = api();
    const name = unique("scoped key");
    const created = await client.createCurrentUserApplicationKey({ body: appKeyCreate(name, ["connections_read", "user_app_keys"]) });
    try {
      assertFullApplicationKey(created, { name, withKey: true });
      assert.deepEqual(created.data.attributes.scopes, ["connections_read", "user_app_keys"]);
    } finally {
      await client.deleteCurrentUserApplicationKey({ appKeyId: created.data.id });
    }
    await expectApiError(client.createCurrentUserApplicationKey({ body: appKeyCreate(unique("bad scope"), ["no_such_permission"]) }), 400, v2.APIErrorResponse);
  });

  test("getCurrentUserApplicationKey(\"incorrectId\") → 404 (recorded body)", async () => {
    const error = await expectApiError(api().getCurrentUserApplicationKey({ appKeyId: "incorrectId" }), 404, v2.APIErrorResponse);
    assert.deepEqual(error.body.errors, ["Application key not found"]);
  });
});

group("KeyManagementApi: the organisation's application keys", KM, () => {
  test("list → get → update → delete through the org path; then the current-user path 404s", async () => {
    const client = api();
    const name = unique("org key");
    const created = await client.createCurrentUserApplicationKey({ body: appKeyCreate(name) });
    const id = created.data.id;
    let deleted = false;
    try {
      const list = await client.listApplicationKeys({ filter: name });
      assert.ok(list instanceof v2.ListApplicationKeysResponse);
      assertFullyParsed(list);
      assert.deepEqual(list.data.map((k) => k.id), [id]);

      const got = await client.getApplicationKey({ appKeyId: id });
      assertFullApplicationKey(got, { name, withKey: false });

      const renamed = `${name} renamed`;
      const updated = await client.updateApplicationKey({ appKeyId: id, body: appKeyUpdate(id, { name: renamed }) });
      assertFullApplicationKey(updated, { name: renamed, withKey: false });

      await client.deleteApplicationKey({ appKeyId: id });
      deleted = true;
      assert.equal(exchanges.last().status, 204);
      await expectApiError(client.deleteCurrentUserApplicationKey({ appKeyId: id }), 404, v2.APIErrorResponse);
      await expectApiError(client.getApplicationKey({ appKeyId: id }), 404, v2.APIErrorResponse);
    } finally {
      if (!deleted) {
        await client.deleteCurrentUserApplicationKey({ appKeyId: id });
      }
    }
  });
});

group("KeyManagementApi: API keys", KM, () => {
  test("create → list (filter) → get → update → delete → get 404 → delete 404", async () => {
    const client = api();
    const name = unique("api key");
    const created = await client.createAPIKey({ body: apiKeyCreate(name) });
    assert.equal(exchanges.last().status, 201);
    const data = assertFullApiKey(created, { name, withKey: true });
    const id = data.id;
    try {
      const list = await client.listAPIKeys({ filter: name });
      assert.ok(list instanceof v2.APIKeysResponse);
      assertFullyParsed(list);
      assert.deepEqual(list.data.map((k) => k.id), [id]);
      assert.ok(list.data[0] instanceof v2.PartialAPIKey);
      assertNoSecretInList();
      assert.equal(list.meta?.page?.totalFilteredCount, 1);

      const got = await client.getAPIKey({ apiKeyId: id });
      assertFullApiKey(got, { name, withKey: false });

      // The new API key works with the bootstrap application key.
      await connectionApi({ apiKey: created.data.attributes.key }).listAppKeyRegistrations({});

      const renamed = `${name} renamed`;
      const updated = await client.updateAPIKey({ apiKeyId: id, body: apiKeyUpdate(id, renamed) });
      assertFullApiKey(updated, { name: renamed, withKey: false });
    } finally {
      await client.deleteAPIKey({ apiKeyId: id });
    }
    assert.equal(exchanges.last().status, 204);
    const gone = await expectApiError(client.getAPIKey({ apiKeyId: id }), 404, v2.APIErrorResponse);
    assert.deepEqual(gone.body.errors, ["API key not found"]);
    await expectApiError(client.deleteAPIKey({ apiKeyId: id }), 404, v2.APIErrorResponse);
  });

  test("getAPIKey(\"invalidId\") → 404 (recorded body)", async () => {
    const error = await expectApiError(api().getAPIKey({ apiKeyId: "invalidId" }), 404, v2.APIErrorResponse);
    assert.deepEqual(error.body.errors, ["API key not found"]);
  });
});

group("KeyManagementApi: errors", KM, () => {
  test("wrong keys → 403 with a parsed APIErrorResponse, on every family", async () => {
    const client = keyManagementApi({ apiKey: "ffffffffffffffffffffffffffffffff" });
    for (const call of [
      () => client.listAPIKeys({}),
      () => client.listCurrentUserApplicationKeys({}),
      () => client.listApplicationKeys({}),
      () => client.getAPIKey({ apiKeyId: randomUUID() }),
    ]) {
      const error = await expectApiError(call(), 403, v2.APIErrorResponse);
      assert.deepEqual(error.body.errors, ["Forbidden"]);
    }
  });

  test("listAPIKeys past the rate limit → 429 with a parsed APIErrorResponse", async () => {
    const client = keyManagementApi({ baseUrl: env.limitedBaseUrl, enableRetry: false });
    let error = null;
    for (let attempt = 0; attempt < env.rateLimit * 2 + 2 && !error; attempt++) {
      try {
        await client.listAPIKeys({});
      } catch (e) {
        error = e;
      }
    }
    assert.ok(error, "no 429");
    await expectApiError(Promise.reject(error), 429, v2.APIErrorResponse);
    assert.equal(exchanges.last().headers["x-ratelimit-name"], "api_keys");
  });
});

group("ServiceAccountsApi: application keys of service accounts", KM, () => {
  // Service accounts themselves are made by the Users API, which this server does not serve;
  // over HTTP only the answers for an account that does not exist can be checked.
  const sa = () => new v2.ServiceAccountsApi(configuration());
  const nobody = "00000000-0000-4000-8000-000000000000";

  test("list/get/update/delete for an unknown service account → 404 with a parsed APIErrorResponse", async () => {
    const client = sa();
    await expectApiError(client.listServiceAccountApplicationKeys({ serviceAccountId: nobody }), 404, v2.APIErrorResponse);
    await expectApiError(client.getServiceAccountApplicationKey({ serviceAccountId: nobody, appKeyId: randomUUID() }), 404, v2.APIErrorResponse);
    const id = randomUUID();
    await expectApiError(
      client.updateServiceAccountApplicationKey({ serviceAccountId: nobody, appKeyId: id, body: appKeyUpdate(id, { name: "x" }) }),
      404,
      v2.APIErrorResponse,
    );
    await expectApiError(client.deleteServiceAccountApplicationKey({ serviceAccountId: nobody, appKeyId: randomUUID() }), 404, v2.APIErrorResponse);
  });

  test("createServiceAccountApplicationKey for an unknown service account → a documented status (400; the spec documents no 404)", async () => {
    await expectApiError(
      sa().createServiceAccountApplicationKey({ serviceAccountId: nobody, body: appKeyCreate(unique("sa key")) }),
      400,
      v2.APIErrorResponse,
    );
  });
});

group("ActionConnectionApi with keys made by KeyManagementApi", KM, () => {
  test("listAppKeyRegistrations pages over three registered keys", async () => {
    const keys = api();
    const connections = connectionApi();
    const made = [];
    try {
      for (let i = 0; i < 2; i++) {
        const created = await keys.createCurrentUserApplicationKey({ body: appKeyCreate(unique("registration paging")) });
        made.push(created.data.id);
        const registered = await connections.registerAppKey({ appKeyId: created.data.id });
        assert.equal(registered.data.id, created.data.id);
      }
      const all = await connections.listAppKeyRegistrations({});
      const ids = all.data.map((r) => r.id);
      for (const id of [env.appKeyId, ...made]) {
        assert.ok(ids.includes(id), `${id} is listed`);
      }
      const paged = [];
      for (let page = 0; page * 2 < all.meta.total; page++) {
        const response = await connections.listAppKeyRegistrations({ pageSize: 2, pageNumber: page });
        assertFullyParsed(response);
        assert.ok(response.data.length <= 2);
        paged.push(...response.data.map((r) => r.id));
      }
      assert.deepEqual(paged, ids, "pages of two, in order, give the whole list");
    } finally {
      for (const id of made) {
        await connections.unregisterAppKey({ appKeyId: id }).catch(() => {});
        await keys.deleteCurrentUserApplicationKey({ appKeyId: id });
      }
    }
  });

  test("a newly created, unregistered application key is refused on connections (403), allowed once registered", async () => {
    const keys = api();
    const created = await keys.createCurrentUserApplicationKey({ body: appKeyCreate(unique("unregistered")) });
    try {
      const client = connectionApi({ appKey: created.data.attributes.key });
      await expectApiError(client.getActionConnection({ connectionId: randomUUID() }), 403);
      await client.registerAppKey({ appKeyId: created.data.id });
      await expectApiError(client.getActionConnection({ connectionId: randomUUID() }), 404);
      await client.unregisterAppKey({ appKeyId: created.data.id });
    } finally {
      await keys.deleteCurrentUserApplicationKey({ appKeyId: created.data.id });
    }
  });
});
