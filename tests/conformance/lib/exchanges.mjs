// Every response the suite receives, through the official client or raw fetch, is recorded here
// and validated against the served contract. The harness fails a test whose exchanges do not
// validate.
import { client } from "@datadog/datadog-api-client";

export class ExchangeLog {
  constructor() {
    this.contract = null;
    this.entries = [];
  }

  /** Records and validates one exchange; returns the entry. */
  add({ method, url, requestBody, status, contentType, text, headers }) {
    const entry = { method: method.toUpperCase(), url: String(url), requestBody, status, contentType, text, headers };
    entry.validation = this.contract
      ? this.contract.validate(entry)
      : { operationId: null, status, errors: ["contract not loaded"] };
    this.entries.push(entry);
    return entry;
  }

  mark() {
    return this.entries.length;
  }

  since(mark) {
    return this.entries.slice(mark);
  }

  last() {
    return this.entries[this.entries.length - 1];
  }
}

export const exchanges = new ExchangeLog();

/**
 * The client's own HTTP library (cross-fetch, retries, compression), with each final response
 * recorded before the client's response processor deserializes it.
 */
export class RecordingHttpLibrary extends client.IsomorphicFetchHttpLibrary {
  async send(request) {
    const response = await super.send(request);
    const text = await response.body.text();
    exchanges.add({
      method: request.getHttpMethod().toString(),
      url: request.getUrl(),
      requestBody: request.getBody(),
      status: response.httpStatusCode,
      contentType: response.headers["content-type"],
      headers: response.headers,
      text,
    });
    return new client.ResponseContext(response.httpStatusCode, response.headers, {
      text: async () => text,
      binary: async () => Buffer.from(text),
    });
  }
}

/** A raw request (for replaying recordings byte for byte), recorded like the client's. */
export async function send(baseUrl, { method, path, body, headers = {} }) {
  const url = new URL(path, baseUrl);
  const response = await fetch(url, { method, headers, body: body === undefined || body === "" ? undefined : body });
  const text = await response.text();
  const responseHeaders = Object.fromEntries(response.headers.entries());
  return exchanges.add({
    method,
    url,
    requestBody: body,
    status: response.status,
    contentType: response.headers.get("content-type") ?? undefined,
    headers: responseHeaders,
    text,
  });
}
