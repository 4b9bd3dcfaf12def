// How the services find each other in each overlay, and what dev and prod
// promise (issue 8): dev runs one replica of everything with an in-cluster
// MariaDB and the fakes; prod runs an external database, two or more workflow
// replicas, disruption budgets, autoscaling, topology spread and the real
// registers.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { binaryOfImage } from "./lib/binaries.mjs";
import { EXTERNAL } from "./lib/external.mjs";
import { containerFiles, containerFlags, flagView } from "./lib/pod.mjs";
import {
  K8S_DIR, OVERLAYS, REPO_ROOT, find, id, labelsMatch, load, ofKind, podTemplate, serviceSelects, workloads,
} from "./lib/render.mjs";

// The default authorization policies (config/authz/*.json), one per kind of
// server; prod carries copies (kustomize reads nothing outside k8s/).
const AUTHZ_POLICIES = ["workflow-service", "prevalidation-service", "ca-adapter"];
const POLICY_OF = (binary) => (binary.startsWith("ca-adapter-") ? "ca-adapter" : binary);

function server(objects, name) {
  const d = find(objects, "Deployment", name);
  if (!d) return undefined;
  const spec = podTemplate(d).spec;
  const c = spec.containers[0];
  const resolved = containerFlags(objects, spec, c);
  return { d, spec, c, resolved, f: flagView(resolved), files: containerFiles(objects, spec, c).files };
}

// "name:port" -> the Service and the Deployments behind it.
function resolveAddress(objects, address) {
  const [host, portText] = address.split(":");
  const port = Number(portText);
  const svc = find(objects, "Service", host.replace(/\.svc(\..*)?$/, "").split(".")[0]);
  if (!svc) return { error: `no Service ${host}` };
  const p = (svc.spec.ports ?? []).find((x) => x.port === port);
  if (!p) return { error: `Service ${host} has no port ${port}` };
  const backends = workloads(objects).filter((w) => serviceSelects(svc, podTemplate(w).metadata?.labels));
  return { svc, port: p, backends };
}

for (const overlay of OVERLAYS) {
  describe(`overlay ${overlay}: wiring`, () => {
    const objects = load(overlay);
    const wf = server(objects, "workflow-service");
    const pv = server(objects, "prevalidation-service");

    test("a Namespace enforcing the restricted Pod Security Standard holds every object", () => {
      const ns = ofKind(objects, "Namespace");
      assert.equal(ns.length, 1, `${overlay}: expected one Namespace`);
      assert.equal(ns[0].metadata.labels?.["pod-security.kubernetes.io/enforce"], "restricted");
      for (const o of objects.filter((x) => x.kind !== "Namespace")) {
        assert.equal(o.metadata.namespace, ns[0].metadata.name, `${overlay} ${id(o)} is not in ${ns[0].metadata.name}`);
      }
    });

    test("workflow-service: every --ca_adapters entry is a CA adapter Service on its grpc port", () => {
      const entries = wf.f.raw("ca_adapters").split(",").filter(Boolean);
      assert.ok(entries.length > 0, `${overlay}: --ca_adapters is empty`);
      for (const entry of entries) {
        const [name, address] = entry.split("=");
        const r = resolveAddress(objects, address);
        assert.ok(!r.error, `${overlay} workflow-service --ca_adapters ${name}=${address}: ${r.error}`);
        assert.equal(r.port.name, "grpc", `${overlay}: ${address} is not the Service's grpc port`);
        assert.ok(r.backends.some((b) => /^ca-adapter-/.test(binaryOfImage(podTemplate(b).spec.containers[0].image))),
          `${overlay}: ${address} (adapter "${name}") selects no CA adapter pods`);
        assert.ok(r.backends.some((b) => binaryOfImage(podTemplate(b).spec.containers[0].image) === `ca-adapter-${name}`),
          `${overlay}: adapter "${name}" points at ${address}, which is not ca-adapter-${name}`);
      }
    });

    test("workflow-service: --prevalidation_address is the prevalidation Service", () => {
      const r = resolveAddress(objects, wf.f.raw("prevalidation_address"));
      assert.ok(!r.error, `${overlay} --prevalidation_address: ${r.error}`);
      assert.ok(r.backends.some((b) => b.metadata.name === "prevalidation-service"));
    });

    test("workflow-service: every product's CA adapter is configured (products.json from the ConfigMap)", () => {
      const file = wf.files.get(wf.f.raw("products_file"));
      assert.ok(file?.content, `${overlay}: --products_file is not a mounted ConfigMap key`);
      const catalogue = JSON.parse(file.content);
      assert.ok(Array.isArray(catalogue.products) && catalogue.products.length > 0, `${overlay}: no products`);
      const configured = new Set(wf.f.raw("ca_adapters").split(",").filter(Boolean).map((e) => e.split("=")[0]));
      for (const p of catalogue.products) {
        assert.ok(configured.has(p.ca_adapter), `${overlay}: product ${p.id} needs CA adapter "${p.ca_adapter}", which --ca_adapters does not configure`);
      }
    });

    test("database: --db_host of every database owner is a Service on --db_port", () => {
      for (const w of workloads(objects)) {
        const spec = podTemplate(w).spec;
        for (const c of spec.containers) {
          const f = flagView(containerFlags(objects, spec, c));
          if (!f.has("db_host")) continue;
          const svc = find(objects, "Service", f.raw("db_host"));
          assert.ok(svc, `${overlay} ${id(w)}: --db_host=${f.raw("db_host")} is no Service of the overlay`);
          if (svc.spec.type !== "ExternalName") {
            assert.ok(svc.spec.ports.some((p) => p.port === Number(f.raw("db_port"))), `${overlay} ${id(w)}: Service ${svc.metadata.name} has no port ${f.raw("db_port")}`);
            assert.ok(workloads(objects).some((x) => serviceSelects(svc, podTemplate(x).metadata?.labels)), `${overlay}: Service ${svc.metadata.name} selects no database pods`);
          }
        }
      }
    });

    test("prevalidation-service: data sources are set and never loopback", () => {
      for (const flag of ["kvk_base_url", "rdap_base_url"]) {
        assert.ok(pv.f.has(flag), `${overlay}: set --${flag} (the default is a loopback fake)`);
        assert.doesNotMatch(pv.f.raw(flag), /:\/\/(127\.|localhost|\[::1\])/, `${overlay}: --${flag} is loopback`);
      }
    });

    if (overlay === "dev") {
      test("dev: one replica of every Deployment and StatefulSet", () => {
        for (const o of ofKind(objects, "Deployment", "StatefulSet")) assert.equal(o.spec.replicas ?? 1, 1, `${id(o)}`);
      });
      test("dev: a MariaDB StatefulSet with a volume claim, reachable as sslpanel-db", () => {
        const db = find(objects, "StatefulSet", "mariadb");
        assert.ok(db, "no StatefulSet mariadb");
        assert.ok(db.spec.volumeClaimTemplates?.length > 0, "mariadb has no volumeClaimTemplates");
        assert.equal(db.spec.serviceName, "sslpanel-db");
        assert.ok(serviceSelects(find(objects, "Service", "sslpanel-db"), podTemplate(db).metadata.labels));
      });
      test("dev: every Secret is generated (secretGenerator), none is expected from outside", () => {
        for (const s of ofKind(objects, "Secret")) assert.match(s.metadata.name, /-[a-z0-9]{10}$/, `${id(s)} is not generated`);
        for (const name of ["workflow-service-db", "ca-adapter-sandbox-db", "ca-adapter-acme-db", "ca-adapter-sectigo-db", "ca-adapter-sectigo-login", "prevalidation-service-kvk", "mariadb-root"]) {
          assert.ok(objects.some((o) => o.kind === "Secret" && o.metadata.name.startsWith(`${name}-`)), `no generated Secret ${name}`);
        }
      });
      test("dev: prevalidation-service uses the fake registries Service", () => {
        for (const flag of ["kvk_base_url", "rdap_base_url"]) {
          const m = /^http:\/\/([^/:]+):(\d+)/.exec(pv.f.raw(flag));
          const r = m && resolveAddress(objects, `${m[1]}:${m[2]}`);
          assert.ok(r && !r.error && r.backends.some((b) => b.metadata.name === "fake-registries"), `--${flag}=${pv.f.raw(flag)} is not the fake-registries Service`);
        }
      });
    }

    if (overlay === "prod") {
      test("prod: the database is external (ExternalName sslpanel-db), no database pods, no generated Secrets", () => {
        assert.equal(find(objects, "Service", "sslpanel-db")?.spec.type, "ExternalName");
        assert.equal(ofKind(objects, "StatefulSet").length, 0);
        assert.equal(ofKind(objects, "Secret").length, 0, "prod must reference the operators' Secrets, not generate any");
      });
      test("prod: no dev-only binaries, images from a registry with a release tag", () => {
        for (const w of workloads(objects)) {
          for (const c of podTemplate(w).spec.containers) {
            const b = binaryOfImage(c.image);
            assert.ok(!["fake-registries", "ca-adapter-sandbox"].includes(b), `${id(w)} runs ${b}`);
            assert.doesNotMatch(c.image, /:(dev|latest)$/, `${id(w)}: ${c.image}`);
            assert.match(c.image, /^[a-z0-9.-]+\.[a-z]+(:\d+)?\//, `${id(w)}: ${c.image} names no registry`);
          }
        }
      });
      test("prod: the real KvK and SIDN RDAP over HTTPS", () => {
        assert.equal(pv.f.raw("kvk_base_url"), "https://api.kvk.nl/api");
        assert.equal(pv.f.raw("rdap_base_url"), "https://rdap.sidn.nl");
        assert.ok(pv.files.get(pv.f.raw("kvk_ca_file")), "--kvk_ca_file is not mounted");
      });
      test("prod: two or more workflow replicas, autoscaled, the Deployment leaving replicas to the autoscaler", () => {
        const hpa = ofKind(objects, "HorizontalPodAutoscaler").find((h) => h.spec.scaleTargetRef.name === "workflow-service");
        assert.ok(hpa, "no HorizontalPodAutoscaler for workflow-service");
        assert.ok(hpa.spec.minReplicas >= 2, "minReplicas must be 2 or more");
        for (const h of ofKind(objects, "HorizontalPodAutoscaler")) {
          const target = find(objects, h.spec.scaleTargetRef.kind, h.spec.scaleTargetRef.name);
          assert.ok(target, `${id(h)} targets nothing`);
          assert.equal(target.spec.replicas, undefined, `${id(target)} sets replicas although ${id(h)} scales it`);
        }
      });
      test("prod: every server Deployment has two or more replicas, a PodDisruptionBudget and topology spread", () => {
        const pdbs = ofKind(objects, "PodDisruptionBudget");
        const hpas = ofKind(objects, "HorizontalPodAutoscaler");
        for (const d of ofKind(objects, "Deployment")) {
          const labels = podTemplate(d).metadata.labels;
          const hpa = hpas.find((h) => h.spec.scaleTargetRef.name === d.metadata.name);
          const replicas = hpa ? hpa.spec.minReplicas : (d.spec.replicas ?? 1);
          assert.ok(replicas >= 2, `${id(d)}: ${replicas} replica(s)`);
          const pdb = pdbs.filter((p) => labelsMatch(p.spec.selector, labels));
          assert.equal(pdb.length, 1, `${id(d)}: needs exactly one PodDisruptionBudget`);
          const tsc = podTemplate(d).spec.topologySpreadConstraints ?? [];
          assert.ok(tsc.some((t) => t.topologyKey === "kubernetes.io/hostname"), `${id(d)}: no spread over nodes`);
          assert.ok(tsc.some((t) => t.topologyKey === "topology.kubernetes.io/zone"), `${id(d)}: no spread over zones`);
          for (const t of tsc) assert.ok(labelsMatch(t.labelSelector, labels), `${id(d)}: a spread constraint does not select its pods`);
        }
      });
    }
  });
}

describe("copies kept equal to their sources", () => {
  // kustomize reads files only below the kustomization; these are copies.
  const copies = [
    ["k8s/base/workflow-service/products.json", "workflow-service/config/products.json"],
    ["k8s/overlays/dev/phone_directory.json", "prevalidation-service/testdata/phone_directory.json"],
    ...AUTHZ_POLICIES.map((p) => [`k8s/overlays/prod/authz/${p}.json`, `config/authz/${p}.json`]),
  ];
  for (const [copy, source] of copies) {
    test(`${copy} equals ${source}`, () => {
      const a = readFileSync(path.join(REPO_ROOT, copy), "utf8");
      const b = readFileSync(path.join(REPO_ROOT, source), "utf8");
      assert.ok(a === b, `${copy} differs from ${source}: run  cp ${source} ${copy}`);
    });
  }
  test("prod's catalogue is valid JSON without sandbox products", () => {
    const prod = JSON.parse(readFileSync(path.join(K8S_DIR, "overlays/prod/products.json"), "utf8"));
    assert.ok(prod.products.length > 0);
    for (const p of prod.products) assert.notEqual(p.ca_adapter, "sandbox", `prod product ${p.id} uses the sandbox CA`);
  });
});

// Issue 14: in prod every gRPC server speaks mutual TLS with a cert-manager
// certificate carrying its SPIFFE identity, admits callers by its default
// policy, and the workflow calls upstream with its own certificate. Returns
// what is wrong, so the check itself can be tested on broken copies.
function mtlsProblems(objects) {
  const problems = [];
  const certificates = ofKind(objects, "Certificate");
  const servers = ofKind(objects, "Deployment").filter((d) => podTemplate(d).spec.containers.some(
    (c) => ["workflow-service", "prevalidation-service"].includes(binaryOfImage(c.image)) || binaryOfImage(c.image)?.startsWith("ca-adapter-")));
  if (servers.length < 3) problems.push(`only ${servers.length} gRPC servers`);
  const certificateOf = (s, flag) => {
    const secret = s.files.get(s.f.raw(flag))?.name;
    return certificates.find((c) => c.spec.secretName === secret);
  };
  for (const d of servers) {
    const name = d.metadata.name;
    const s = server(objects, name);
    const missing = ["tls_cert_file", "tls_key_file", "tls_client_ca_file", "authz_policy_file"].filter((f) => !s.f.raw(f));
    if (missing.length > 0) { problems.push(`${name}: not set: ${missing.map((f) => `--${f}`).join(", ")}`); continue; }
    const cert = certificateOf(s, "tls_cert_file");
    if (!cert) { problems.push(`${name}: --tls_cert_file is not from the Secret of a cert-manager Certificate`); continue; }
    for (const flag of ["tls_key_file", "tls_client_ca_file"]) {
      if (certificateOf(s, flag) !== cert) problems.push(`${name}: --${flag} is not from its Certificate's Secret`);
    }
    if (cert.spec.uris?.length !== 1 || !/^spiffe:\/\/sslpanel\.local\/[a-z0-9/-]+$/.test(cert.spec.uris[0])) {
      problems.push(`${name}: its Certificate needs exactly one URI SAN, a spiffe://sslpanel.local/ identity`);
    }
    if (!cert.spec.dnsNames?.includes(name)) problems.push(`${name}: its Certificate does not name the Service ${name}`);
    const issuer = `${cert.spec.issuerRef?.kind ?? "Issuer"}/${cert.spec.issuerRef?.name}`;
    if (!find(objects, ...issuer.split("/")) && !EXTERNAL.prod.includes(issuer)) {
      problems.push(`${name}: its Certificate's issuer ${issuer} is neither in the overlay nor operator-provided`);
    }
    const policy = s.files.get(s.f.raw("authz_policy_file"));
    const source = `config/authz/${POLICY_OF(binaryOfImage(s.c.image))}.json`;
    if (policy?.kind !== "ConfigMap" || policy.content !== readFileSync(path.join(REPO_ROOT, source), "utf8")) {
      problems.push(`${name}: --authz_policy_file is not ${source} from a ConfigMap of the overlay`);
    }
  }
  const wf = server(objects, "workflow-service");
  if (wf) {
    const cert = certificateOf(wf, "upstream_tls_cert_file");
    if (!wf.f.raw("upstream_tls_ca_file") || !wf.f.raw("upstream_tls_key_file") || cert?.spec.uris?.[0] !== "spiffe://sslpanel.local/workflow") {
      problems.push("workflow-service: does not call upstream with mTLS as spiffe://sslpanel.local/workflow");
    }
  }
  return problems;
}

describe("overlay prod: mutual TLS and authorization on every gRPC server", () => {
  const objects = load("prod");
  test("every gRPC server: mTLS from a Certificate with a SPIFFE URI, its default policy; the workflow upstream too", () => {
    assert.deepEqual(mtlsProblems(objects), []);
  });
  const broken = (title, mutate, expected) => test(`the check catches ${title}`, () => {
    const copy = structuredClone(objects);
    mutate(copy);
    assert.match(mtlsProblems(copy).join("\n"), expected);
  });
  const config = (copy, name) => copy.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith(`${name}-config`));
  broken("a server without its policy", (copy) => {
    const cm = config(copy, "prevalidation-service");
    cm.data["mtls.flags"] = cm.data["mtls.flags"].replace(/^--authz_policy_file=.*$/m, "");
  }, /prevalidation-service: not set: --authz_policy_file/);
  broken("a policy copy that differs from config/authz", (copy) => {
    const cm = config(copy, "ca-adapter-acme");
    cm.data["authz-policy.json"] = cm.data["authz-policy.json"].replace("ops", "billing");
  }, /ca-adapter-acme: --authz_policy_file is not config\/authz\/ca-adapter.json/);
  broken("a Certificate with a second URI SAN", (copy) => {
    find(copy, "Certificate", "workflow-service").spec.uris.push("spiffe://sslpanel.local/billing");
  }, /workflow-service: its Certificate needs exactly one URI SAN/);
  broken("a server without mTLS", (copy) => {
    const d = find(copy, "Deployment", "ca-adapter-acme");
    podTemplate(d).spec.containers[0].args = ["--flagfile=/etc/sslpanel/config/service.flags,/etc/sslpanel/config/environment.flags"];
  }, /ca-adapter-acme: not set: --tls_cert_file/);
  test("every identity the adapters' policy admits is the workflow's or an operator's", () => {
    const policy = JSON.parse(readFileSync(path.join(REPO_ROOT, "config/authz/ca-adapter.json"), "utf8"));
    for (const rule of policy.identities) {
      assert.ok(rule.exact === "spiffe://sslpanel.local/workflow" || rule.role === "ops", JSON.stringify(rule));
    }
  });
  test("ca-adapter-acme, workflow-service and their migration Jobs encrypt stored secrets with a key from a Secret", () => {
    for (const w of [find(objects, "Deployment", "ca-adapter-acme"), find(objects, "Job", "ca-adapter-acme-migrate"),
                     find(objects, "Deployment", "workflow-service"), find(objects, "Job", "workflow-service-migrate")]) {
      const spec = podTemplate(w).spec;
      const c = spec.containers[0];
      const f = flagView(containerFlags(objects, spec, c));
      const file = containerFiles(objects, spec, c).files.get(f.raw("secrets_key_file"));
      assert.equal(file?.kind, "Secret", `${id(w)}: --secrets_key_file is not a mounted Secret key`);
    }
  });
});
