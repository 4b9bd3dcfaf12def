// k8s/README.md stays in step with the manifests: it names every overlay and
// every object an overlay expects the operators to create.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { EXTERNAL } from "./lib/external.mjs";
import { K8S_DIR, OVERLAYS } from "./lib/render.mjs";

const readme = readFileSync(path.join(K8S_DIR, "README.md"), "utf8");

test('README has the "Deploying to Kubernetes" section and names every overlay', () => {
  assert.match(readme, /^# Deploying to Kubernetes$/m);
  for (const overlay of OVERLAYS) assert.ok(readme.includes(`\`${overlay}\``), `README does not mention overlay ${overlay}`);
});

test("README lists every object the operators must create", () => {
  for (const [overlay, objects] of Object.entries(EXTERNAL)) {
    for (const o of objects) {
      const [kind, name] = o.split("/");
      assert.ok(readme.includes(`${kind} \`${name}\``), `README does not list ${kind} \`${name}\` (needed by ${overlay})`);
    }
  }
});
