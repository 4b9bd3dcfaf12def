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

  expectCaught("a TLS server probed on its TLS port (no --health_listen)", (o) => {
    container(o, "Deployment", "workflow-service").args.push("--tls_cert_file=/etc/sslpanel/config/service.flags");
  }, "gRPC servers: port named grpc", "set --health_listen");

  expectCaught("a TLS server whose probes miss the --health_listen port", (o) => {
    const c = container(o, "Deployment", "prevalidation-service");
    c.args.push("--tls_cert_file=/etc/sslpanel/config/service.flags", "--health_listen=0.0.0.0:8086");
    c.ports.push({ name: "health", containerPort: 8086, protocol: "TCP" });
  }, "gRPC servers: port named grpc", "is not the --health_listen port 8086");

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

  expectCaught("--metrics_listen dropped from a server's flags", (o) => {
    const cm = configMap(o, "ca-adapter-sandbox-config");
    cm.data["service.flags"] = cm.data["service.flags"].replace(/^--metrics_listen=.*$/m, "");
  }, "gRPC servers: --metrics_listen", "Deployment/ca-adapter-sandbox container ca-adapter-sandbox: set --metrics_listen");

  expectCaught("--metrics_listen moved without the container port", (o) => {
    configMap(o, "workflow-service-config").data["environment.flags"] += "\n--metrics_listen=0.0.0.0:9100\n";
  }, "gRPC servers: --metrics_listen", "port metrics is 9090 but --metrics_listen says 9100");

  expectCaught("--metrics_listen on loopback", (o) => {
    configMap(o, "prevalidation-service-config").data["environment.flags"] += "\n--metrics_listen=127.0.0.1:9090\n";
  }, "gRPC servers: --metrics_listen", "--metrics_listen=127.0.0.1:9090 is loopback");

  expectCaught("a metrics container port under another name", (o) => {
    container(o, "Deployment", "ca-adapter-acme").ports.find((p) => p.name === "metrics").name = "http-metrics";
  }, "gRPC servers: --metrics_listen", "Deployment/ca-adapter-acme container ca-adapter-acme: needs a container port named metrics");

  expectCaught("a scrape annotation on the wrong port", (o) => {
    podTemplate(find(o, "Deployment", "workflow-service")).metadata.annotations["prometheus.io/port"] = "50051";
  }, "gRPC servers: --metrics_listen", 'annotation prometheus.io/port is "50051"');

  expectCaught("a server without the scrape annotations", (o) => {
    delete podTemplate(find(o, "Deployment", "prevalidation-service")).metadata.annotations;
  }, "gRPC servers: --metrics_listen", "Deployment/prevalidation-service: the pod template needs the annotation prometheus.io/scrape");

  expectCaught("a new gRPC service copied without its metrics port and annotations", (o) => {
    const copy = structuredClone(find(o, "Deployment", "ca-adapter-acme"));
    copy.metadata.name = "ca-adapter-other";
    const tpl = podTemplate(copy);
    tpl.spec.containers[0].ports = tpl.spec.containers[0].ports.filter((p) => p.name !== "metrics");
    delete tpl.metadata.annotations;
    o.push(copy);
  }, "gRPC servers: --metrics_listen", "Deployment/ca-adapter-other container ca-adapter-acme: needs a container port named metrics");

  expectCaught("metrics served through the gRPC Service port", (o) => {
    find(o, "Service", "workflow-service").spec.ports[0].targetPort = "metrics";
  }, "Services: metrics only", "Service/workflow-service: port grpc targets the pods' metrics port");

  expectCaught("metrics on a Service port not named metrics", (o) => {
    find(o, "Service", "prevalidation-service").spec.ports.push({ name: "http", port: 9090, targetPort: 9090, protocol: "TCP" });
  }, "Services: metrics only", "Service/prevalidation-service: port http targets the pods' metrics port");

  expectCaught("a Secret nobody creates", (o) => {
    podTemplate(find(o, "Deployment", "workflow-service")).spec.volumes
      .find((v) => v.name === "db-credentials").secret.secretName = "workflow-db-typo";
  }, "every ConfigMap, Secret", "Secret workflow-db-typo");
});
