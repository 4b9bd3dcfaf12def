// Every rendered object validates against the Kubernetes OpenAPI schema of its
// apiVersion and kind (npm kubernetes-models, pinned in k8s/package.json), offline.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { OVERLAYS, id, load } from "./lib/render.mjs";
import { CRD_MODELS, unknownFields } from "./lib/strict-fields.mjs";

// "apps/v1" + "Deployment" -> kubernetes-models/apps/v1/Deployment;
// "cert-manager.io/v1" + "Certificate" -> @kubernetes-models/cert-manager/cert-manager.io/v1/Certificate
async function modelFor(apiVersion, kind) {
  const group = apiVersion.includes("/") ? apiVersion : `v1`;
  const crd = CRD_MODELS[apiVersion.split("/")[0]];
  const spec = crd ? `${crd}/${apiVersion}/${kind}`
    : apiVersion.includes("/") ? `kubernetes-models/${group}/${kind}` : `kubernetes-models/v1/${kind}`;
  try {
    const mod = await import(spec);
    return mod[kind];
  } catch (e) {
    throw new Error(`no schema for ${apiVersion} ${kind} in kubernetes-models (${e.code ?? e.message})`);
  }
}

for (const overlay of OVERLAYS) {
  describe(`overlay ${overlay}: Kubernetes API schemas`, () => {
    const objects = load(overlay);
    test(`renders objects`, () => assert.ok(objects.length > 0, `${overlay} renders nothing`));
    for (const o of objects) {
      test(`${o.apiVersion} ${id(o)}`, async () => {
        const Model = await modelFor(o.apiVersion, o.kind);
        try {
          new Model(structuredClone(o)).validate();
        } catch (e) {
          const error = new Error(`${overlay} ${id(o)} does not match the ${o.apiVersion} ${o.kind} schema: ${e.message}`);
          error.stack = error.message;
          throw error;
        }
        const unknown = unknownFields(o);
        if (unknown.length > 0) {
          const error = new Error(`${overlay} ${id(o)} has fields the API does not define:\n  - ${unknown.join("\n  - ")}`);
          error.stack = error.message;
          throw error;
        }
      });
    }
  });
}

describe("the schema checks reject broken objects", () => {
  const deployment = () => structuredClone(load(OVERLAYS[0]).find((o) => o.kind === "Deployment"));
  test("a wrongly typed field", async () => {
    const d = deployment();
    d.spec.replicas = "two";
    const Model = await modelFor(d.apiVersion, d.kind);
    assert.throws(() => new Model(d).validate(), /replicas must be integer/);
  });
  test("a misspelt field", () => {
    const d = deployment();
    d.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
    assert.match(unknownFields(d).join("\n"), /securityContext\/readOnlyRootFileSystem: unknown field/);
  });
  // Custom resources (cert-manager) get the same two checks.
  const certificate = () => structuredClone(load("prod").find((o) => o.kind === "Certificate"));
  test("a custom resource with a wrongly typed field", async () => {
    const c = certificate();
    c.spec.uris = "spiffe://sslpanel.local/workflow";
    const Model = await modelFor(c.apiVersion, c.kind);
    assert.throws(() => new Model(c).validate(), /uris must be array/);
  });
  test("a custom resource with misspelt fields, nested too", () => {
    const c = certificate();
    assert.deepEqual(unknownFields(c), []);
    c.spec.secretNmae = "x";
    c.spec.privateKey.rotationPolicyy = "Always";
    c.metadata.lables = {};
    const found = unknownFields(c).join("\n");
    assert.match(found, /spec\/secretNmae: unknown field/);
    assert.match(found, /spec\/privateKey\/rotationPolicyy: unknown field/);
    assert.match(found, /metadata\/lables: unknown field/);
  });
});
