// The rules must catch what they claim to: each case breaks one thing in a
// copy of the rendered dev overlay (or adds a careless new service) and
// expects the named rule to report that object.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { find, load, podTemplate } from "./lib/render.mjs";
import { WORKLOAD_RULES, ruleContext } from "./lib/workload-rules.mjs";

const base = load("dev");
const clone = () => structuredClone(base);
const container = (objects, kind, name) => podTemplate(find(objects, kind, name)).spec.containers[0];
const configMap = (objects, prefix) => objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith(prefix));

function violations(objects) {
  const found = [];
  for (const r of WORKLOAD_RULES) r.check(ruleContext(objects, "dev"), (m) => found.push({ rule: r.title, message: m }));
  return found;
}

// Violations the unmodified overlay already has are reported by
// workloads.test.mjs; here only the ones a mutation adds count.
const before = new Set(violations(clone()).map((v) => v.message));

function expectCaught(title, mutate, ruleStart, mentions) {
  test(title, () => {
    const objects = clone();
    mutate(objects);
    const hits = violations(objects).filter((v) => !before.has(v.message) && v.rule.startsWith(ruleStart) && v.message.includes(mentions));
    assert.ok(hits.length > 0,
      `expected rule "${ruleStart}..." to report "${mentions}"; got:\n${violations(objects).map((v) => `  ${v.rule}: ${v.message}`).join("\n") || "  nothing"}`);
  });
}

describe("rules catch broken manifests", () => {
  expectCaught("a Deployment without readiness probe", (o) => {
    delete container(o, "Deployment", "workflow-service").readinessProbe;
  }, "long-running workloads: readiness and liveness", "Deployment/workflow-service");

  expectCaught("a gRPC server probed over TCP instead of gRPC", (o) => {
    container(o, "Deployment", "ca-adapter-acme").livenessProbe = { tcpSocket: { port: 50054 } };
  }, "gRPC servers: port named grpc", "livenessProbe must be a native grpc probe");

  expectCaught("a probe on another port than --listen", (o) => {
    container(o, "Deployment", "prevalidation-service").readinessProbe.grpc.port = 9999;
  }, "gRPC servers: port named grpc", "readinessProbe.grpc.port 9999");

  expectCaught("a container port not named grpc", (o) => {
    container(o, "Deployment", "workflow-service").ports[0].name = "rpc";
  }, "gRPC servers: port named grpc", "needs a container port named grpc");

  expectCaught("a Job without memory limit", (o) => {
    delete container(o, "Job", "workflow-service-migrate").resources.limits.memory;
  }, "resources:", "resources.limits.memory is missing");

  expectCaught("a writable root file system", (o) => {
    container(o, "Deployment", "ca-adapter-sandbox").securityContext.readOnlyRootFilesystem = false;
  }, "container security:", "readOnlyRootFilesystem");

  expectCaught("capabilities kept", (o) => {
    delete container(o, "StatefulSet", "mariadb").securityContext.capabilities;
  }, "container security:", "capabilities.drop must include ALL");

  expectCaught("root allowed", (o) => {
    delete podTemplate(find(o, "Deployment", "fake-registries")).spec.securityContext.runAsNonRoot;
  }, "pod security:", "runAsNonRoot");

  expectCaught("a grace period shorter than the workflow's drain", (o) => {
    podTemplate(find(o, "Deployment", "workflow-service")).spec.terminationGracePeriodSeconds = 40;
  }, "terminationGracePeriodSeconds exceeds", "must exceed preStop 5s + --shutdown_grace + --call_timeout (40s)");

  expectCaught("--shutdown_grace raised in the ConfigMap but not the grace period", (o) => {
    const cm = configMap(o, "prevalidation-service-config");
    cm.data["environment.flags"] += "\n--shutdown_grace=45s\n";
  }, "terminationGracePeriodSeconds exceeds", "Deployment/prevalidation-service");

  expectCaught("a misspelt flag in a flagfile", (o) => {
    configMap(o, "workflow-service-config").data["environment.flags"] += "\n--db_hots=mariadb\n";
  }, "flags:", "--db_hots is not a flag of workflow-service");

  expectCaught("a password file that is not mounted", (o) => {
    configMap(o, "ca-adapter-acme-config").data["environment.flags"] += "\n--db_password_file=/run/secrets/nope\n";
  }, "input files:", "--db_password_file=/run/secrets/nope is not a mounted file");

  expectCaught("a database owner without migration Job", (o) => {
    o.splice(o.indexOf(find(o, "Job", "ca-adapter-acme-migrate")), 1);
  }, "database owners:", "no migration Job runs sslpanel/ca-adapter-acme:dev migrate");

  expectCaught("a migration Job that serves instead of migrating", (o) => {
    container(o, "Job", "workflow-service-migrate").args.shift();
  }, "migration Jobs:", 'must run the "migrate" command');

  expectCaught("a sandbox scaled past its ReadWriteOnce volume", (o) => {
    find(o, "Deployment", "ca-adapter-sandbox").spec.replicas = 2;
  }, "writable directories", "replicas must be 1");

  expectCaught("--ca_dir on the read-only root file system", (o) => {
    configMap(o, "ca-adapter-sandbox-config").data["environment.flags"] += "\n--ca_dir=/var/tmp/ca\n";
  }, "writable directories", "--ca_dir=/var/tmp/ca must be on a writable volume");

  expectCaught("a Service that also selects migration pods", (o) => {
    delete find(o, "Service", "workflow-service").spec.selector["app.kubernetes.io/component"];
  }, "gRPC servers: a Service selects", "also matches migration Job pods");

  expectCaught("the default ServiceAccount", (o) => {
    delete podTemplate(find(o, "Job", "ca-adapter-sandbox-migrate")).spec.serviceAccountName;
  }, "runs as its own ServiceAccount", "Job/ca-adapter-sandbox-migrate");

  expectCaught("an untagged image", (o) => {
    container(o, "Deployment", "fake-registries").image = "sslpanel/fake-registries:latest";
  }, "images:", "needs a pinned tag or digest");

  expectCaught("a new SSL Panel service copied without its rules", (o) => {
    const copy = structuredClone(find(o, "Deployment", "prevalidation-service"));
    copy.metadata.name = "prevalidation-service-v2";
    const c = podTemplate(copy).spec.containers[0];
    delete c.readinessProbe;
    delete c.resources.limits;
    podTemplate(copy).spec.terminationGracePeriodSeconds = 5;
    o.push(copy);
  }, "long-running workloads", "Deployment/prevalidation-service-v2");

  expectCaught("a new binary the rules do not know", (o) => {
    const copy = structuredClone(find(o, "Deployment", "prevalidation-service"));
    copy.metadata.name = "billing-bridge";
    podTemplate(copy).spec.containers[0].image = "sslpanel/billing-bridge:dev";
    o.push(copy);
  }, "SSL Panel images are known binaries", "sslpanel/billing-bridge:dev is not in BINARIES");

  expectCaught("a Secret nobody creates", (o) => {
    podTemplate(find(o, "Deployment", "workflow-service")).spec.volumes
      .find((v) => v.name === "db-credentials").secret.secretName = "workflow-db-typo";
  }, "every ConfigMap, Secret", "Secret workflow-db-typo");
});
