// Validates responses against the OpenAPI description the server publishes
// (GET /api/v2/openapi.json), with Ajv: the operation is found by method and path template,
// the response by status code, and the body is validated against that response's schema.
// OpenAPI 3.0 schema objects are validated with Ajv's default dialect (draft-07) plus its
// OpenAPI `nullable` keyword; the description uses no draft-04-only construct
// (no boolean exclusiveMinimum/Maximum), and its annotation keywords are registered as such.
import Ajv from "ajv";
import addFormats from "ajv-formats";

const SCHEMA_ID = "https://actionconnections.invalid/openapi.json";
const METHODS = ["get", "put", "post", "delete", "patch"];

function collectKeys(value, keys = new Set()) {
  if (Array.isArray(value)) {
    value.forEach((item) => collectKeys(item, keys));
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      keys.add(key);
      collectKeys(item, keys);
    }
  }
  return keys;
}

function rewriteRefs(value) {
  if (Array.isArray(value)) {
    return value.map(rewriteRefs);
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) =>
        key === "$ref" && typeof item === "string" && item.startsWith("#/components/schemas/")
          ? [key, `${SCHEMA_ID}#/$defs/${item.slice("#/components/schemas/".length)}`]
          : [key, rewriteRefs(item)],
      ),
    );
  }
  return value;
}

export class Contract {
  constructor(document) {
    this.document = document;
    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, strictTuples: false });
    addFormats(this.ajv);
    this.ajv.addFormat("int64", { type: "number", validate: (n) => Number.isSafeInteger(n) });
    this.ajv.addFormat("int32", { type: "number", validate: (n) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
    // OpenAPI annotations and vendor extensions carry no validation.
    const annotations = [...collectKeys(document.components.schemas)].filter((key) => key.startsWith("x-"));
    this.ajv.addVocabulary(["example", "externalDocs", "xml", ...annotations]);
    this.ajv.addSchema({ $id: SCHEMA_ID, $defs: rewriteRefs(document.components.schemas) });

    this.operations = [];
    for (const [template, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation) {
          continue;
        }
        const literal = !template.includes("{");
        const pattern = new RegExp("^" + template.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, "[^/]+") + "$");
        this.operations.push({ method: method.toUpperCase(), template, pattern, literal, operationId: operation.operationId, operation });
      }
    }
    // A literal path wins over a template (none overlap today, but keep it deterministic).
    this.operations.sort((a, b) => Number(b.literal) - Number(a.literal));
    this.validators = new Map();
    /** `${operationId} ${status}` → { valid, invalid } */
    this.coverage = new Map();
  }

  static async load(baseUrl) {
    const response = await fetch(new URL("/api/v2/openapi.json", baseUrl));
    if (response.status !== 200) {
      throw new Error(`GET /api/v2/openapi.json answered ${response.status}`);
    }
    return new Contract(await response.json());
  }

  findOperation(method, pathname) {
    return this.operations.find((op) => op.method === method.toUpperCase() && op.pattern.test(pathname));
  }

  resolveResponse(response) {
    if (response?.$ref) {
      return this.document.components.responses[response.$ref.split("/").pop()];
    }
    return response;
  }

  validatorFor(op, status) {
    const key = `${op.operationId} ${status}`;
    if (!this.validators.has(key)) {
      const response = this.resolveResponse(op.operation.responses[String(status)]);
      let entry = null;
      if (response) {
        const media = Object.entries(response.content ?? {});
        if (media.length > 1) {
          throw new Error(`${key}: more than one media type`);
        }
        entry = media.length === 0
          ? { mediaType: null, validate: null }
          : { mediaType: media[0][0], validate: this.ajv.compile(rewriteRefs(media[0][1].schema)) };
      }
      this.validators.set(key, entry);
    }
    return this.validators.get(key);
  }

  /**
   * Validates one exchange. Returns { operationId, status, errors: [] }; an empty list means the
   * response is what the served contract documents for that operation and status.
   */
  validate({ method, url, status, contentType, text }) {
    const pathname = new URL(url).pathname;
    const op = this.findOperation(method, pathname);
    if (!op) {
      return { operationId: null, status, errors: [`no operation in the served contract for ${method} ${pathname}`] };
    }
    const errors = [];
    const entry = this.validatorFor(op, status);
    if (!entry) {
      errors.push(`status ${status} is not documented for ${op.operationId}`);
    } else if (entry.validate === null) {
      if (text.length > 0) {
        errors.push(`${op.operationId} ${status} documents no body, got ${JSON.stringify(text.slice(0, 200))}`);
      }
    } else {
      const json = /^application\/(vnd\.api\+)?json\b/.test(contentType ?? "");
      if (!json) {
        errors.push(`${op.operationId} ${status}: content type ${contentType} is not JSON`);
      }
      let body;
      try {
        body = JSON.parse(text);
      } catch (e) {
        errors.push(`${op.operationId} ${status}: body is not JSON: ${e.message}`);
      }
      if (body !== undefined && !entry.validate(body)) {
        for (const error of entry.validate.errors) {
          errors.push(`${op.operationId} ${status}: ${error.instancePath || "/"} ${error.message} (${error.schemaPath})`);
        }
      }
    }
    const key = `${op.operationId} ${status}`;
    const counts = this.coverage.get(key) ?? { valid: 0, invalid: 0 };
    counts[errors.length === 0 ? "valid" : "invalid"] += 1;
    this.coverage.set(key, counts);
    return { operationId: op.operationId, status, errors };
  }

  /** Every documented (operation, status) pair, with how many responses were validated against it. */
  coverageReport() {
    const rows = [];
    for (const op of this.operations) {
      const statuses = new Set(Object.keys(op.operation.responses));
      for (const key of this.coverage.keys()) {
        const [operationId, status] = key.split(" ");
        if (operationId === op.operationId) {
          statuses.add(status);
        }
      }
      for (const status of [...statuses].sort()) {
        const counts = this.coverage.get(`${op.operationId} ${status}`) ?? { valid: 0, invalid: 0 };
        const documented = status in op.operation.responses;
        rows.push({ operationId: op.operationId, method: op.method, template: op.template, status: Number(status), documented, ...counts });
      }
    }
    return rows;
  }
}
