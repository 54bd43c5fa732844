// Every documented error of the Action Connection operations, through the official client: each
// must arrive as an ApiException with that code and a body the client parsed into
// JSONAPIErrorResponse (never "Unknown API Status Code"). Bodies recorded from the real service
// are compared word for word.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { v2 } from "@datadog/datadog-api-client";
import { connectionApi, env } from "../lib/env.mjs";
import { exchanges } from "../lib/exchanges.mjs";
import { group, test } from "../lib/harness.mjs";
import { expectApiError, toModel } from "../lib/checks.mjs";

const api = () => connectionApi();
const NOT_FOUND_GET = "error getting connection: rpc error: code = NotFound desc = connection not found";
const NOT_FOUND_UPDATE = "error creating connection: rpc error: code = NotFound desc = connection not found";
const NOT_FOUND_DELETE = "error deleting connection: rpc error: code = NotFound desc = connection not found";
const BAD_APP_KEY_ID = 'invalid parameter "appKeyId" in "path"; expected type "uuid"';

const awsCreate = (accountId) =>
  toModel("CreateActionConnectionRequest", {
    data: {
      type: "action_connection",
      attributes: { name: "conformance errors", integration: { type: "AWS", credentials: { type: "AWSAssumeRole", account_id: accountId, role: "MyRoleUpdated" } } },
    },
  });
const awsUpdate = (accountId) =>
  toModel("UpdateActionConnectionRequest", {
    data: {
      type: "action_connection",
      attributes: { name: "Cassette Connection", integration: { type: "AWS", credentials: { type: "AWSAssumeRole", account_id: accountId, role: "MyRoleUpdated" } } },
    },
  });

function onlyError(error) {
  assert.equal(error.body.errors.length, 1, JSON.stringify(error.body));
  return error.body.errors[0];
}

group("Errors through the client: 400", {}, () => {
  test("createActionConnection with AWS account_id \"1\" → 400, pointing at account_id", async () => {
    const error = await expectApiError(api().createActionConnection({ body: awsCreate("1") }), 400);
    const item = onlyError(error);
    assert.match(item.detail, /AccountId/);
    assert.equal(item.source?.pointer, "/data/attributes/integration/credentials/account_id");
  });

  test("updateActionConnection with AWS account_id \"1\" → 400, connection unchanged", async () => {
    const client = api();
    const created = await client.createActionConnection({ body: awsCreate("123456789123") });
    try {
      const error = await expectApiError(client.updateActionConnection({ connectionId: created.data.id, body: awsUpdate("1") }), 400);
      assert.match(onlyError(error).detail, /AccountId/);
      const got = await client.getActionConnection({ connectionId: created.data.id });
      assert.equal(got.data.attributes.integration.credentials.accountId, "123456789123");
    } finally {
      await client.deleteActionConnection({ connectionId: created.data.id });
    }
  });

  test("getActionConnection(\"bad-format\") → 400 (recorded body)", async () => {
    const error = await expectApiError(api().getActionConnection({ connectionId: "bad-format" }), 400);
    const item = onlyError(error);
    assert.equal(item.title, "Generic Error");
    assert.equal(item.detail, "error connectionId not a valid UUID");
  });

  test("updateActionConnection(\"bad-format\") → 400", async () => {
    const error = await expectApiError(api().updateActionConnection({ connectionId: "bad-format", body: awsUpdate("123456789123") }), 400);
    assert.equal(onlyError(error).detail, "error connectionId not a valid UUID");
  });

  for (const operation of ["getAppKeyRegistration", "registerAppKey", "unregisterAppKey"]) {
    test(`${operation}("not_valid_app_key_id") → 400 (recorded body)`, async () => {
      const error = await expectApiError(api()[operation]({ appKeyId: "not_valid_app_key_id" }), 400);
      const item = onlyError(error);
      assert.equal(item.status, "400");
      assert.equal(item.title, "Invalid Parameter");
      assert.equal(item.detail, BAD_APP_KEY_ID);
    });
  }

  test("registerAppKey of a UUID that is no application key → 400 (the spec documents no 404 for it)", async () => {
    await expectApiError(api().registerAppKey({ appKeyId: randomUUID() }), 400);
  });

  test("listAppKeyRegistrations with pageSize 0 → 400", async () => {
    await expectApiError(api().listAppKeyRegistrations({ pageSize: 0 }), 400);
  });
});

group("Errors through the client: 404", {}, () => {
  const unknown = "aaa11111-aa11-aa11-aaaa-aaaaaa111111";

  test("getActionConnection(unknown) → 404 (recorded body)", async () => {
    const item = onlyError(await expectApiError(api().getActionConnection({ connectionId: unknown }), 404));
    assert.deepEqual({ title: item.title, detail: item.detail }, { title: "Generic Error", detail: NOT_FOUND_GET });
  });

  test("updateActionConnection(unknown) → 404 (recorded body)", async () => {
    const item = onlyError(await expectApiError(api().updateActionConnection({ connectionId: unknown, body: awsUpdate("123456789123") }), 404));
    assert.equal(item.detail, NOT_FOUND_UPDATE);
  });

  test("deleteActionConnection(unknown) → 404 (recorded body)", async () => {
    const item = onlyError(await expectApiError(api().deleteActionConnection({ connectionId: unknown }), 404));
    assert.equal(item.detail, NOT_FOUND_DELETE);
  });

  test("deleteActionConnection(\"bad-format\") → 404 (the spec documents no 400 for delete)", async () => {
    await expectApiError(api().deleteActionConnection({ connectionId: "bad-format" }), 404);
  });

  test("deleteActionConnection twice → 204, then 404", async () => {
    const client = api();
    const created = await client.createActionConnection({ body: awsCreate("123456789123") });
    await client.deleteActionConnection({ connectionId: created.data.id });
    await expectApiError(client.deleteActionConnection({ connectionId: created.data.id }), 404);
  });

  test("getAppKeyRegistration(unregistered) → 404 (recorded body)", async () => {
    const item = onlyError(await expectApiError(api().getAppKeyRegistration({ appKeyId: unknown }), 404));
    assert.equal(item.detail, "app key not found");
  });

  test("unregisterAppKey(never registered) → 404 (recorded body)", async () => {
    const item = onlyError(await expectApiError(api().unregisterAppKey({ appKeyId: "57cc69ae-9214-4ecc-8df8-43ecc1d92d99" }), 404));
    assert.equal(item.detail, "app key not found");
  });
});

group("Errors through the client: 403", {}, () => {
  const wrongKeys = [
    ["a wrong API key", { apiKey: "ffffffffffffffffffffffffffffffff" }],
    ["a wrong application key", { appKey: "ffffffffffffffffffffffffffffffffffffffff" }],
  ];
  const calls = {
    createActionConnection: (c) => c.createActionConnection({ body: awsCreate("123456789123") }),
    getActionConnection: (c) => c.getActionConnection({ connectionId: randomUUID() }),
    updateActionConnection: (c) => c.updateActionConnection({ connectionId: randomUUID(), body: awsUpdate("123456789123") }),
    deleteActionConnection: (c) => c.deleteActionConnection({ connectionId: randomUUID() }),
    listAppKeyRegistrations: (c) => c.listAppKeyRegistrations({}),
    getAppKeyRegistration: (c) => c.getAppKeyRegistration({ appKeyId: env.appKeyId }),
    registerAppKey: (c) => c.registerAppKey({ appKeyId: env.appKeyId }),
    unregisterAppKey: (c) => c.unregisterAppKey({ appKeyId: env.appKeyId }),
  };
  for (const [what, keys] of wrongKeys) {
    test(`all 8 operations with ${what} → 403 Forbidden`, async () => {
      const client = connectionApi(keys);
      for (const [operation, call] of Object.entries(calls)) {
        const error = await expectApiError(call(client), 403).catch((e) => {
          e.message = `${operation}: ${e.message}`;
          throw e;
        });
        assert.deepEqual(onlyError(error).detail, "Forbidden", operation);
      }
      // Nothing was done with the wrong key: the bootstrap key is still registered.
      await api().getAppKeyRegistration({ appKeyId: env.appKeyId });
    });
  }
});

group("Errors through the client: 429 (server with a tiny rate limit)", {}, () => {
  const limited = (options = {}) => connectionApi({ baseUrl: env.limitedBaseUrl, ...options });

  /** Calls until the server says 429; returns that ApiException. */
  async function provoke(call) {
    // The window is clock-aligned: allow one rollover.
    for (let attempt = 0; attempt < env.rateLimit * 2 + 2; attempt++) {
      try {
        await call();
      } catch (e) {
        if (e.code === 429) {
          return e;
        }
        if (e.code !== 404) {
          throw e;
        }
      }
    }
    assert.fail(`no 429 after ${env.rateLimit * 2 + 2} requests with a limit of ${env.rateLimit}`);
  }

  function assertRateLimitHeaders(name) {
    const headers = exchanges.last().headers;
    assert.equal(exchanges.last().status, 429);
    assert.equal(headers["x-ratelimit-limit"], String(env.rateLimit));
    assert.equal(headers["x-ratelimit-remaining"], "0");
    assert.equal(headers["x-ratelimit-name"], name);
    assert.match(headers["x-ratelimit-reset"] ?? "", /^\d+$/);
    assert.match(headers["x-ratelimit-period"] ?? "", /^\d+$/);
  }

  test("getActionConnection past the limit → ApiException 429 with a parsed JSONAPIErrorResponse", async () => {
    await limited().registerAppKey({ appKeyId: env.limitedAppKeyId });
    const client = limited({ enableRetry: false });
    const error = await provoke(() => client.getActionConnection({ connectionId: randomUUID() }));
    await expectApiError(Promise.reject(error), 429, v2.JSONAPIErrorResponse);
    assertRateLimitHeaders("action_connections");
  });

  test("createActionConnection past the limit → 429 (same group)", async () => {
    const client = limited({ enableRetry: false });
    await expectApiError(client.createActionConnection({ body: awsCreate("123456789123") }), 429);
  });

  test("listAppKeyRegistrations past the limit → ApiException 429 with a parsed JSONAPIErrorResponse", async () => {
    const client = limited({ enableRetry: false });
    const error = await provoke(() => client.listAppKeyRegistrations({}));
    await expectApiError(Promise.reject(error), 429);
    assertRateLimitHeaders("app_key_registrations");
  });
});
