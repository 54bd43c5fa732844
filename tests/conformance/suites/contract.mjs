// The served contract cannot drift: the committed openapi.json is exactly what the generator
// makes of the reference fragments, and the server serves exactly the committed bytes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { outputPath, renderDocument } from "../build-openapi.mjs";
import { env } from "../lib/env.mjs";
import { send } from "../lib/exchanges.mjs";
import { group, test } from "../lib/harness.mjs";

group("Served contract", {}, () => {
  test("committed openapi.json equals what build-openapi.mjs generates from the reference", () => {
    const committed = readFileSync(outputPath, "utf8");
    assert.ok(committed === renderDocument(), "src/ActionConnections.Server/OpenApi/openapi.json is out of date: run node tests/conformance/build-openapi.mjs");
  });

  test("GET /api/v2/openapi.json without keys serves the committed document as application/json", async () => {
    const response = await send(env.baseUrl, { method: "GET", path: "/api/v2/openapi.json" });
    assert.equal(response.status, 200);
    assert.match(response.contentType, /^application\/json\b/);
    assert.ok(response.text === readFileSync(outputPath, "utf8"), "served bytes differ from the committed file (stale build?)");
  });
});
