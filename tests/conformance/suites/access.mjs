// RestrictionPoliciesApi, RolesApi.listRoles and UsersApi.listUsers through the official client,
// against docs/reference/openapi-access.yaml: Terraform's flow (find the admin role by name, bind it with the
// organisation, read back, delete) on a connection, and the recorded 400s. Every answer must
// deserialize into the client's models with nothing left unparsed.
import assert from "node:assert/strict";
import { v2 } from "@datadog/datadog-api-client";
import { configuration, connectionApi, env } from "../lib/env.mjs";
import { exchanges } from "../lib/exchanges.mjs";
import { group, test } from "../lib/harness.mjs";
import { assertFullyParsed, expectApiError, toModel } from "../lib/checks.mjs";

const policies = () => new v2.RestrictionPoliciesApi(configuration());
const roles = () => new v2.RolesApi(configuration());
const users = () => new v2.UsersApi(configuration());

const policyBody = (resourceId, bindings) =>
  toModel("RestrictionPolicyUpdateRequest", { data: { id: resourceId, type: "restriction_policy", attributes: { bindings } } });

group("Access: roles, users and restriction policies of connections", {}, () => {
  test("listRoles with filter finds the managed admin role (typed, paged meta)", async () => {
    const response = await roles().listRoles({ filter: "Datadog Admin Role" });
    assert.ok(response instanceof v2.RolesResponse, "not a RolesResponse");
    assertFullyParsed(response);
    assert.equal(response.data.length, 1);
    assert.equal(response.data[0].attributes.name, "Datadog Admin Role");
    assert.equal(response.meta.page.totalFilteredCount, 1);
    assert.equal(response.meta.page.totalCount, 3);
  });

  test("listUsers: the organisation's users with their role and organisation (typed)", async () => {
    const response = await users().listUsers({ pageSize: 10, pageNumber: 0 });
    assert.ok(response instanceof v2.UsersResponse, "not a UsersResponse");
    assertFullyParsed(response);
    assert.ok(response.data.length >= 1);
    const roleIds = (await roles().listRoles({})).data.map((r) => r.id);
    for (const user of response.data) {
      assert.ok(roleIds.includes(user.relationships.roles.data[0].id), "a user's role is one of listRoles");
    }
  });

  test("updateRestrictionPolicy → getRestrictionPolicy → deleteRestrictionPolicy on a connection", async () => {
    await connectionApi().registerAppKey({ appKeyId: env.appKeyId });
    const created = await connectionApi().createActionConnection({
      body: toModel("CreateActionConnectionRequest", {
        data: {
          type: "action_connection",
          attributes: { name: "conformance access", integration: { type: "AWS", credentials: { type: "AWSAssumeRole", account_id: "123456789012", role: "R" } } },
        },
      }),
    });
    const resourceId = `connection:${created.data.id}`;
    try {
      const empty = await policies().getRestrictionPolicy({ resourceId });
      assert.ok(empty instanceof v2.RestrictionPolicyResponse);
      assertFullyParsed(empty);
      assert.deepEqual(empty.data.attributes.bindings, []);

      const admin = (await roles().listRoles({ filter: "Datadog Admin Role" })).data[0].id;
      const org = (await users().listUsers({})).data[0].relationships.org.data.id;
      const bindings = [{ relation: "editor", principals: [`org:${org}`, `role:${admin}`] }];
      const updated = await policies().updateRestrictionPolicy({ resourceId, body: policyBody(resourceId, bindings) });
      assertFullyParsed(updated);
      assert.equal(updated.data.id, resourceId);
      assert.deepEqual(JSON.parse(exchanges.last().text).data.attributes.bindings, bindings);

      const read = await policies().getRestrictionPolicy({ resourceId });
      assert.deepEqual(JSON.parse(exchanges.last().text).data.attributes.bindings, bindings);
      assert.equal(read.data.type, "restriction_policy");

      await policies().deleteRestrictionPolicy({ resourceId });
      assert.equal(exchanges.last().status, 204);
      const after = await policies().getRestrictionPolicy({ resourceId });
      assert.deepEqual(after.data.attributes.bindings, []);
    } finally {
      await connectionApi().deleteActionConnection({ connectionId: created.data.id });
    }
  });

  test("recorded 400s: a malformed resource id, a type without policies (APIErrorResponse)", async () => {
    const malformed = await expectApiError(policies().getRestrictionPolicy({ resourceId: "malformed" }), 400, v2.APIErrorResponse);
    assert.deepEqual(malformed.body.errors, ["Invalid resource: 'malformed' is not in a valid format"]);
    const wrongType = await expectApiError(
      policies().updateRestrictionPolicy({ resourceId: "security_rule:xs9-9lw-fjj", body: policyBody("security_rule:xs9-9lw-fjj", []) }),
      400,
      v2.APIErrorResponse,
    );
    assert.deepEqual(wrongType.body.errors, ["Invalid resource type: 'security_rule' does not support restriction policies"]);
  });

  test("a connection that does not exist: 404 on get, update and delete", async () => {
    // Datadog's spec documents no 404 here, so the client reports it as an unknown status; its
    // Terraform provider handles a 404 on read and delete (resource_datadog_restriction_policy.go).
    const resourceId = "connection:aaa11111-aa11-aa11-aaaa-aaaaaa111111";
    for (const call of [
      () => policies().getRestrictionPolicy({ resourceId }),
      () => policies().updateRestrictionPolicy({ resourceId, body: policyBody(resourceId, []) }),
      () => policies().deleteRestrictionPolicy({ resourceId }),
    ]) {
      await assert.rejects(call(), (error) => error.code === 404);
      assert.deepEqual(JSON.parse(exchanges.last().text).errors, [`Resource not found: '${resourceId}' does not exist`]);
    }
  });
});
