// k8s/README.md stays in step with the manifests: it names every overlay,
// every object an overlay expects the operators to create, and the labels and
// annotations monitoring depends on.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { EXTERNAL } from "./lib/external.mjs";
import { K8S_DIR, OVERLAYS, find, load, ofKind, podTemplate } from "./lib/render.mjs";

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

test("README's Metrics section names the scrape annotations and the labels allow-metrics-scrape admits", () => {
  const section = /^## Metrics$([\s\S]*?)^## /m.exec(readme)?.[1];
  assert.ok(section, 'README has no "## Metrics" section');
  for (const overlay of OVERLAYS) {
    const objects = load(overlay);
    const policy = find(objects, "NetworkPolicy", "allow-metrics-scrape");
    assert.ok(policy, `${overlay}: no NetworkPolicy allow-metrics-scrape`);
    for (const peer of policy.spec.ingress.flatMap((r) => r.from ?? [])) {
      for (const selector of [peer.namespaceSelector, peer.podSelector].filter(Boolean)) {
        for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
          assert.ok(section.includes(`${k}: "${v}"`), `README's Metrics section does not name the label ${k}: "${v}" (${overlay} allow-metrics-scrape)`);
        }
      }
    }
    for (const d of ofKind(objects, "Deployment")) {
      for (const [k, v] of Object.entries(podTemplate(d).metadata?.annotations ?? {})) {
        if (!k.startsWith("prometheus.io/")) continue;
        assert.match(section, new RegExp(`^${k.replace(/[./]/g, "\\$&")}: "?${v.replace(/[./]/g, "\\$&")}"?$`, "m"),
          `README's Metrics section does not show ${k}: ${v} (${overlay} ${d.metadata.name})`);
      }
    }
  }
  for (const series of ["sslpanel_grpc_server_handled_total", "sslpanel_grpc_server_handling_seconds"]) {
    assert.ok(section.includes(series), `README's Metrics section does not name ${series}`);
  }
});
