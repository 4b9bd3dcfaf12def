// Rendered overlays: scripts/check-k8s renders each one once with
// `kubectl kustomize` into $SSLPANEL_K8S_RENDERED/<overlay>.yaml; run alone
// (`npm test` in k8s/), the tests render them themselves.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const K8S_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const REPO_ROOT = path.resolve(K8S_DIR, "..");

// Every overlay directory is checked; a new one is picked up without edits.
export const OVERLAYS = readdirSync(path.join(K8S_DIR, "overlays"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const cache = new Map();

function renderText(overlay) {
  const dir = process.env.SSLPANEL_K8S_RENDERED;
  if (dir && existsSync(path.join(dir, `${overlay}.yaml`))) {
    return readFileSync(path.join(dir, `${overlay}.yaml`), "utf8");
  }
  return execFileSync(process.env.KUBECTL || "kubectl", ["kustomize", path.join(K8S_DIR, "overlays", overlay)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

// The overlay's objects, as plain JSON values.
export function load(overlay) {
  if (!cache.has(overlay)) {
    const docs = parseAllDocuments(renderText(overlay));
    const objects = [];
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        throw new Error(`${overlay}: rendered YAML does not parse: ${doc.errors[0].message}`);
      }
      const value = doc.toJS();
      if (value !== null && value !== undefined) objects.push(value);
    }
    cache.set(overlay, objects);
  }
  return cache.get(overlay);
}

export const id = (o) => `${o.kind}/${o.metadata?.name}`;

export function find(objects, kind, name) {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name);
}

export function ofKind(objects, ...kinds) {
  return objects.filter((o) => kinds.includes(o.kind));
}

// Workloads and their pod templates.
export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];

export function podTemplate(o) {
  switch (o.kind) {
    case "Pod":
      return { metadata: o.metadata, spec: o.spec };
    case "CronJob":
      return o.spec?.jobTemplate?.spec?.template;
    default:
      return o.spec?.template;
  }
}

export function workloads(objects) {
  return objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
}

export const isLongRunning = (o) => ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].includes(o.kind);

export function allContainers(spec) {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

export function labelsMatch(selector, labels) {
  if (!selector) return false;
  labels = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case "In":
        if (!has || !e.values.includes(labels[e.key])) return false;
        break;
      case "NotIn":
        if (has && e.values.includes(labels[e.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${e.operator}`);
    }
  }
  return true;
}

// A Service's selector is a plain map.
export function serviceSelects(service, labels) {
  const sel = service.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return false;
  return labelsMatch({ matchLabels: sel }, labels);
}

// Kubernetes quantities ("100m", "512Mi", "1") as numbers.
export function quantity(q) {
  if (typeof q === "number") return q;
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(q));
  if (!m) throw new Error(`not a quantity: ${q}`);
  const mult = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  return Number(m[1]) * (m[2] ? mult[m[2]] : 1);
}
