// node k8s/test/materialize.mjs OVERLAY OUTDIR
// Writes what each SSL Panel container of a rendered overlay would see, so
// k8s/smoke can run the real binaries with it on this machine: for every
// workload, OUTDIR/<Kind>-<name>/ gets the files of its ConfigMap and Secret
// mounts under their mount paths, its writable volumes as directories, and
// "args" (one per line) with every mounted path moved under that directory,
// "readiness": what its readiness probe asks, and "metrics": where Prometheus
// scrapes it ("<port> <path>" from the prometheus.io annotations; empty when
// the pod is not scraped).
// Prints one line per workload: "<Kind>-<name> <binary>" ("-" for other images).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { binaryOfImage } from "./lib/binaries.mjs";
import { containerFiles } from "./lib/pod.mjs";
import { load, podTemplate, workloads } from "./lib/render.mjs";

const [overlay, outdir] = process.argv.slice(2);
if (!overlay || !outdir) {
  console.error("usage: materialize.mjs OVERLAY OUTDIR");
  process.exit(2);
}
const objects = load(overlay);
for (const w of workloads(objects)) {
  const spec = podTemplate(w).spec;
  const c = spec.containers[0];
  const binary = binaryOfImage(c.image) ?? "-";
  const dir = path.resolve(outdir, `${w.kind}-${w.metadata.name}`);
  const { files, dirs } = containerFiles(objects, spec, c);
  const mounts = (c.volumeMounts ?? []).map((m) => m.mountPath).sort((a, b) => b.length - a.length);
  const relocate = (text) => text.replace(/(^|=|,)(\/[^\s,]*)/g, (all, sep, p) =>
    mounts.some((m) => p === m || p.startsWith(`${m}/`)) ? `${sep}${dir}${p}` : all);
  for (const [file, f] of files) {
    if (f.content === undefined) continue;
    mkdirSync(path.dirname(dir + file), { recursive: true });
    const isFlagfile = /\.flags$/.test(file);
    writeFileSync(dir + file, isFlagfile ? f.content.split("\n").map(relocate).join("\n") : f.content);
  }
  for (const d of dirs) mkdirSync(dir + d.path, { recursive: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "args"), (c.args ?? []).map(relocate).join("\n") + "\n");
  // What the readiness probe asks: "grpc <service>" or "http <port name> <path>".
  const r = c.readinessProbe;
  const probe = r?.grpc ? `grpc ${r.grpc.service ?? ""}` : r?.httpGet ? `http ${r.httpGet.port} ${r.httpGet.path}` : "";
  writeFileSync(path.join(dir, "readiness"), `${probe}\n`);
  const a = podTemplate(w).metadata?.annotations ?? {};
  const scrape = a["prometheus.io/scrape"] === "true" ? `${a["prometheus.io/port"] ?? ""} ${a["prometheus.io/path"] ?? "/metrics"}` : "";
  writeFileSync(path.join(dir, "metrics"), `${scrape}\n`);
  console.log(`${w.kind}-${w.metadata.name} ${binary}`);
}
