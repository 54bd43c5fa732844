// Assertions about what the official client made of a response.
import assert from "node:assert/strict";
import { client, v2 } from "@datadog/datadog-api-client";
import { blocked } from "./harness.mjs";

/**
 * Walks a deserialized value: no `UnparsedObject` (what the client makes of a oneOf or enum it
 * could not match) and no `_unparsed` flag anywhere.
 */
export function assertFullyParsed(value, path = "$") {
  if (value === null || typeof value !== "object") {
    return;
  }
  assert.notEqual(value.constructor?.name, "UnparsedObject", `${path} is an UnparsedObject: ${JSON.stringify(value._data ?? value)}`);
  assert.ok(!("_unparsed" in value && value._unparsed), `${path} has _unparsed = true`);
  if (value instanceof Date) {
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key === "additionalProperties") {
      continue; // raw JSON the client keeps as is
    }
    assertFullyParsed(item, `${path}.${key}`);
  }
}

/** The typed value of a model attribute by its wire name (e.g. `account_id` → `accountId`). */
export function wire(instance, baseName) {
  const map = instance.constructor.getAttributeTypeMap?.();
  assert.ok(map, `${instance.constructor.name} is not a client model`);
  const attribute = Object.entries(map).find(([, info]) => info.baseName === baseName);
  assert.ok(attribute, `${instance.constructor.name} has no attribute ${baseName}`);
  return instance[attribute[0]];
}

/**
 * Awaits a client call that must fail with `status`: an ApiException whose body the client
 * parsed into the operation's error model (never "Unknown API Status Code").
 */
export async function expectApiError(promise, status, errorModel = v2.JSONAPIErrorResponse) {
  let error = null;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected an ApiException with code ${status}, the call succeeded`);
  if (!(error instanceof client.ApiException)) {
    throw error;
  }
  if (error.code !== status) {
    const e = new assert.AssertionError({ message: `expected code ${status}, got ${error.code}: ${JSON.stringify(error.body)}`, actual: error.code, expected: status });
    throw e;
  }
  assert.equal(typeof error.body, "object", `the client did not parse the body: ${String(error.body).slice(0, 300)}`);
  assert.ok(error.body instanceof errorModel, `the body is not a ${errorModel.name}: ${JSON.stringify(error.body)}`);
  assert.ok(Array.isArray(error.body.errors) && error.body.errors.length > 0, "the body has no errors");
  assertFullyParsed(error.body);
  return error;
}

/** Rethrows a create failure as blocked when the server does not know the integration type. */
export function classifyCreateFailure(error, integrationType) {
  const details = error instanceof client.ApiException && error.code === 400
    ? (error.body?.errors ?? []).map((e) => e.detail ?? "").join(" ")
    : "";
  if (details.includes(`unknown integration type '${integrationType}'`)) {
    throw blocked("integration", new Error(`create ${integrationType}: 400 ${details}`));
  }
  throw error;
}

/**
 * A request model from wire JSON, the way the client's own BDD runner builds request bodies
 * (the client's serializer takes model objects with camelCase attributes, not wire JSON).
 */
export function toModel(type, json) {
  const model = v2.ObjectSerializer.deserialize(json, type, "");
  assertFullyParsed(model, type);
  return model;
}
