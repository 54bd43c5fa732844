// Reads the recorded real traffic in its four formats (go-vcr, vcrpy, Polly.JS HAR, and the
// go-vcr v2 of the Terraform provider) into one shape:
//   { source, name, file, interactions: [{ method, accept, path, requestBody, status, contentType, responseBody }] }
import { readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const cassetteDir = process.env.ACTIONCONNECTIONS_REFERENCE_DIR
  ? join(process.env.ACTIONCONNECTIONS_REFERENCE_DIR, "cassettes")
  : join(dirname(fileURLToPath(import.meta.url)), "..", "reference", "cassettes");

function pathOf(url) {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

function header(headers, name) {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name.toLowerCase()) {
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
}

function fromVcrYaml(source, file) {
  const document = parse(readFileSync(file, "utf8"));
  const interactions = document.interactions.map(({ request, response }) => {
    if (request.uri !== undefined) {
      // vcrpy
      return {
        method: request.method,
        accept: header(request.headers, "accept"),
        path: pathOf(request.uri),
        requestBody: request.body ?? "",
        status: response.status.code,
        contentType: header(response.headers, "content-type"),
        responseBody: response.body?.string ?? "",
      };
    }
    // go-vcr (client scenarios) and go-vcr v2 (Terraform)
    return {
      method: request.method,
      accept: header(request.headers, "accept"),
      path: pathOf(request.url),
      requestBody: (request.body ?? "").replace(/\n$/, ""),
      status: response.code,
      contentType: header(response.headers, "content-type"),
      responseBody: response.body ?? "",
    };
  });
  return { source, name: basename(file).replace(/\.yaml$/, ""), file, interactions };
}

function fromHar(source, file) {
  const har = JSON.parse(readFileSync(file, "utf8"));
  const interactions = har.log.entries.map(({ request, response }) => ({
    method: request.method,
    accept: request.headers.find((h) => h.name.toLowerCase() === "accept")?.value,
    path: pathOf(request.url),
    requestBody: request.postData?.text ?? "",
    status: response.status,
    contentType: response.content.size > 0 || response.content.text ? response.content.mimeType : undefined,
    responseBody: response.content.text ?? "",
  }));
  return { source, name: basename(dirname(file)).replace(/_\d+$/, ""), file, interactions };
}

function files(dir, suffix) {
  return readdirSync(dir, { recursive: true })
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => join(dir, name));
}

export function loadCassettes() {
  return [
    ...files(join(cassetteDir, "go"), ".yaml").map((f) => fromVcrYaml("go", f)),
    ...files(join(cassetteDir, "python"), ".yaml").map((f) => fromVcrYaml("python", f)),
    ...files(join(cassetteDir, "typescript"), "recording.har").map((f) => fromHar("typescript", f)),
    ...files(join(cassetteDir, "terraform"), ".yaml").map((f) => fromVcrYaml("terraform", f)),
    ...files(join(cassetteDir, "key-management"), "recording.har").map((f) => fromHar("key-management", f)),
  ];
}
