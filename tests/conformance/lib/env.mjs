// The servers under test, as run.sh started them.
import { client, v2 } from "@datadog/datadog-api-client";
import { RecordingHttpLibrary } from "./exchanges.mjs";

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set (run the suite through tests/conformance/run.sh)`);
  }
  return value;
}

export const env = {
  baseUrl: required("CONFORMANCE_BASE_URL"),
  apiKey: required("CONFORMANCE_API_KEY"),
  appKey: required("CONFORMANCE_APP_KEY"),
  appKeyId: required("CONFORMANCE_APP_KEY_ID"),
  /** A second server with a tiny rate limit, for provoking 429s. */
  limitedBaseUrl: required("CONFORMANCE_LIMITED_BASE_URL"),
  limitedAppKeyId: required("CONFORMANCE_LIMITED_APP_KEY_ID"),
  rateLimit: Number(required("CONFORMANCE_LIMITED_RATE_LIMIT")),
};

/** A configuration of the official client, exactly as a user would write it, plus recording. */
export function configuration({ baseUrl = env.baseUrl, apiKey = env.apiKey, appKey = env.appKey, enableRetry = false } = {}) {
  return client.createConfiguration({
    baseServer: new client.BaseServerConfiguration(baseUrl, {}),
    authMethods: { apiKeyAuth: apiKey, appKeyAuth: appKey },
    httpApi: new RecordingHttpLibrary(),
    enableRetry,
  });
}

export function connectionApi(options) {
  return new v2.ActionConnectionApi(configuration(options));
}

export function keyManagementApi(options) {
  return new v2.KeyManagementApi(configuration(options));
}

/** Headers for raw requests with the bootstrap keys. */
export function authHeaders(apiKey = env.apiKey, appKey = env.appKey) {
  return { "DD-API-KEY": apiKey, "DD-APPLICATION-KEY": appKey };
}
