// The network policies allow exactly the intended flows. Each overlay's pods
// (from its workload templates) and a few outside endpoints are run through a
// NetworkPolicy evaluator (lib/netpol.mjs): every flow the system needs must
// pass, and the ones it must never make must be denied. Metrics: only a pod
// labelled sslpanel.io/metrics-scraper=true in a namespace labelled
// sslpanel.io/monitoring=true reaches a server's port "metrics", and nothing else.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { binaryOfImage } from "./lib/binaries.mjs";
import { allowed } from "./lib/netpol.mjs";
import { OVERLAYS, find, id, load, ofKind, podTemplate, workloads } from "./lib/render.mjs";

const INTERNET = { name: "a public HTTPS server", ip: "93.184.216.34" };
const METADATA = { name: "the cloud metadata endpoint", ip: "169.254.169.254" };
const CLUSTER_API = { name: "a cluster-internal address (API server)", ip: "10.96.0.1" };
const MONITORING = {
  namespace: "monitoring",
  namespaceLabels: { "kubernetes.io/metadata.name": "monitoring", "sslpanel.io/monitoring": "true" },
};
const SCRAPER_LABELS = { "sslpanel.io/metrics-scraper": "true" };

function endpoints(overlay) {
  const objects = load(overlay);
  const ns = ofKind(objects, "Namespace")[0];
  const namespace = ns?.metadata.name;
  const namespaceLabels = { ...(ns?.metadata.labels ?? {}), "kubernetes.io/metadata.name": namespace };
  const pods = workloads(objects).map((o) => {
    const tpl = podTemplate(o);
    return {
      name: `${id(o)} pod`,
      workload: o,
      namespace: o.metadata.namespace ?? namespace,
      namespaceLabels,
      labels: tpl.metadata?.labels ?? {},
      ports: tpl.spec.containers.flatMap((c) => c.ports ?? []),
      binary: binaryOfImage(tpl.spec.containers[0].image),
    };
  });
  const pod = (kind, name) => pods.find((p) => p.workload.kind === kind && p.workload.metadata.name === name);
  const inNs = (name, labels) => ({ name, namespace, namespaceLabels, labels, ports: [] });
  const dns = {
    name: "kube-dns",
    namespace: "kube-system",
    namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" },
    labels: { "k8s-app": "kube-dns" },
    ports: [{ name: "dns", containerPort: 53, protocol: "UDP" }, { name: "dns-tcp", containerPort: 53, protocol: "TCP" }],
  };
  // The database: the in-cluster MariaDB, or an address inside the external
  // server's range (prod: database-clients' ipBlock).
  let db = pods.find((p) => p.labels["app.kubernetes.io/component"] === "database");
  if (!db) {
    const cidr = find(objects, "NetworkPolicy", "database-clients")?.spec.egress?.[0]?.to?.[0]?.ipBlock?.cidr;
    db = { name: `the external database (${cidr})`, ip: cidr ? cidr.replace(/\.0\/\d+$/, ".10").replace(/\/32$/, "") : "203.0.113.10" };
  }
  return {
    objects, pods, pod, dns, db,
    policies: ofKind(objects, "NetworkPolicy").map((p) => ({ ...p, metadata: { ...p.metadata, namespace: p.metadata.namespace ?? namespace } })),
    client: inNs("a pod labelled sslpanel.io/workflow-client=true", { "sslpanel.io/workflow-client": "true" }),
    stranger: inNs("an unlabelled pod in the namespace", { app: "something-else" }),
    // Prometheus: both labels (the only peer allow-metrics-scrape admits).
    scraper: {
      name: "a scraper pod (sslpanel.io/metrics-scraper=true) in the monitoring namespace (sslpanel.io/monitoring=true)",
      ...MONITORING,
      labels: SCRAPER_LABELS,
      ports: [],
    },
    // Each of these lacks one of the two labels.
    notScrapers: [
      { name: "an unlabelled pod in the monitoring namespace (Grafana)", ...MONITORING, labels: { "app.kubernetes.io/name": "grafana" }, ports: [] },
      {
        name: "a scraper-labelled pod in an unlabelled other namespace",
        namespace: "tenant-a",
        namespaceLabels: { "kubernetes.io/metadata.name": "tenant-a" },
        labels: SCRAPER_LABELS,
        ports: [],
      },
      inNs("a pod of this namespace labelling itself a scraper", SCRAPER_LABELS),
    ],
    foreignClient: {
      name: "a labelled client pod in a labelled other namespace",
      namespace: "ordering",
      namespaceLabels: { "kubernetes.io/metadata.name": "ordering", "sslpanel.io/workflow-client": "true" },
      labels: { "sslpanel.io/workflow-client": "true" },
      ports: [],
    },
  };
}

for (const overlay of OVERLAYS) {
  describe(`overlay ${overlay}: network policies`, () => {
    const e = endpoints(overlay);
    const workflow = e.pod("Deployment", "workflow-service");
    const prevalidation = e.pod("Deployment", "prevalidation-service");
    const adapters = e.pods.filter((p) => p.labels["sslpanel.io/ca-adapter"] === "true" && p.workload.kind === "Deployment");
    const acme = e.pod("Deployment", "ca-adapter-acme");
    const sectigo = e.pod("Deployment", "ca-adapter-sectigo");
    const fake = e.pod("Deployment", "fake-registries");
    const sectigoFake = e.pod("Deployment", "sectigo-fake");
    const dbClients = e.pods.filter((p) => ["workflow-service", "ca-adapter-sandbox", "ca-adapter-acme", "ca-adapter-sectigo"].includes(p.binary));
    const grpcPort = (p) => p.ports.find((x) => x.name === "grpc").containerPort;
    const servers = e.pods.filter((p) => p.workload.kind === "Deployment" && p.ports.some((x) => x.name === "grpc"));
    const metricsPort = (p) => p.ports.find((x) => x.name === "metrics")?.containerPort;

    const expectFlow = (want, from, to, port, protocol = "TCP") => {
      test(`${want ? "allows" : "denies"} ${from.name} -> ${to.name}:${port}/${protocol}`, () => {
        assert.equal(allowed(e.policies, from, to, port, protocol), want,
          `${overlay}: ${from.name} -> ${to.name}:${port}/${protocol} should be ${want ? "allowed" : "denied"}`);
      });
    };

    test("has the services the flows need", () => {
      for (const [what, p] of Object.entries({ workflow, prevalidation, acme, sectigo })) assert.ok(p, `${overlay}: no ${what} Deployment`);
      assert.ok(adapters.length > 0, `${overlay}: no CA adapter`);
      assert.ok(e.policies.some((p) => p.metadata.name === "default-deny-all"), `${overlay}: no default-deny-all policy`);
    });

    // Needed.
    expectFlow(true, e.client, workflow, grpcPort(workflow));
    expectFlow(true, workflow, prevalidation, grpcPort(prevalidation));
    for (const a of adapters) expectFlow(true, workflow, a, grpcPort(a));
    for (const c of dbClients) expectFlow(true, c, e.db, 3306);
    expectFlow(true, acme, INTERNET, 443);
    for (const p of e.pods.filter((x) => x.binary && x.binary !== "fake-registries")) {
      expectFlow(true, p, e.dns, 53, "UDP");
      expectFlow(true, p, e.dns, 53, "TCP");
    }
    if (fake) {
      expectFlow(true, prevalidation, fake, 8081);
      expectFlow(true, prevalidation, fake, 8082);
      expectFlow(false, prevalidation, INTERNET, 443);
      expectFlow(false, e.foreignClient, workflow, grpcPort(workflow));
    } else {
      expectFlow(true, prevalidation, INTERNET, 443);
      expectFlow(true, e.foreignClient, workflow, grpcPort(workflow));
    }

    // Metrics: the scraper reaches every gRPC server's port "metrics" (and
    // only that port); every other endpoint is denied it.
    test("every gRPC server pod has a port named metrics", () => {
      assert.ok(servers.length >= 3, `${overlay}: expected the gRPC server Deployments`);
      for (const p of servers) assert.ok(metricsPort(p), `${overlay}: ${p.name} has no container port named metrics`);
    });
    for (const p of servers.filter(metricsPort)) {
      expectFlow(true, e.scraper, p, metricsPort(p));
      expectFlow(false, e.scraper, p, grpcPort(p));
      for (const other of [...e.notScrapers, e.client, e.stranger, e.foreignClient]) expectFlow(false, other, p, metricsPort(p));
      for (const other of e.pods.filter((x) => x !== p)) expectFlow(false, other, p, metricsPort(p));
    }
    if (!e.db.ip) expectFlow(false, e.scraper, e.db, 3306);
    if (fake) expectFlow(false, e.scraper, fake, 8081);

    // Never.
    expectFlow(false, e.stranger, workflow, grpcPort(workflow));
    expectFlow(false, e.client, prevalidation, grpcPort(prevalidation));
    for (const a of adapters) expectFlow(false, e.client, a, grpcPort(a));
    expectFlow(false, prevalidation, workflow, grpcPort(workflow));
    expectFlow(false, prevalidation, e.db, 3306);
    expectFlow(false, e.client, e.db, 3306);
    for (const a of adapters) {
      expectFlow(false, a, prevalidation, grpcPort(prevalidation));
      expectFlow(false, a, workflow, grpcPort(workflow));
      for (const b of adapters.filter((x) => x !== a)) expectFlow(false, a, b, grpcPort(b));
    }
    expectFlow(false, workflow, INTERNET, 443);
    // The http-01 pre-flight check fetches the customer's challenge file from
    // public addresses on port 80, as the CA does; never from metadata/cluster.
    expectFlow(true, acme, INTERNET, 80);
    expectFlow(false, acme, INTERNET, 8080);
    expectFlow(false, acme, METADATA, 80);
    expectFlow(false, acme, CLUSTER_API, 80);
    expectFlow(false, acme, METADATA, 443);
    expectFlow(false, acme, CLUSTER_API, 443);
    expectFlow(false, prevalidation, METADATA, 443);
    for (const a of adapters.filter((x) => x !== acme && x !== sectigo)) expectFlow(false, a, INTERNET, 443);
    // Sectigo's reseller API: HTTPS on public addresses in prod; in dev the
    // fake only (and the fake nothing at all).
    expectFlow(false, sectigo, INTERNET, 80);
    expectFlow(false, sectigo, METADATA, 443);
    expectFlow(false, sectigo, CLUSTER_API, 443);
    if (sectigoFake) {
      expectFlow(true, sectigo, sectigoFake, 8083);
      expectFlow(false, sectigo, INTERNET, 443);
      expectFlow(false, workflow, sectigoFake, 8083);
      expectFlow(false, e.client, sectigoFake, 8083);
      expectFlow(false, sectigoFake, INTERNET, 443);
      expectFlow(false, sectigoFake, e.db, 3306);
    } else {
      expectFlow(true, sectigo, INTERNET, 443);
    }
    if (fake) {
      expectFlow(false, workflow, fake, 8081);
      expectFlow(false, fake, INTERNET, 443);
      expectFlow(false, fake, e.db, 3306);
    }
    if (!e.db.ip) {
      expectFlow(false, e.db, INTERNET, 443);
      expectFlow(false, e.db, workflow, grpcPort(workflow));
    }
  });
}
