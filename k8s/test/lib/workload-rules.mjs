// The deployment rules every workload of every overlay must follow (issue 8):
// probes, resources, security context, grace period against the binary's
// shutdown deadline, named gRPC and metrics ports, migration Jobs, mounted
// secrets. Each
// rule gets all rendered objects of one overlay and reports every violation
// as "<overlay> <Kind>/<name>: what is wrong". They run over whatever the
// overlays render, so a new Deployment or Job is checked without edits.
import { BINARIES, binaryOfImage, isInputFileFlag as isInputFile } from "./binaries.mjs";
import { EXTERNAL } from "./external.mjs";
import { containerFiles as containerFilesFor, containerFlags, flagView, listenPort, metricsListen } from "./pod.mjs";
import {
  allContainers, find, id, isLongRunning, labelsMatch, ofKind, podTemplate, quantity, serviceSelects, workloads,
} from "./render.mjs";

const sslpanel = (c) => binaryOfImage(c.image);

// What every rule gets: one overlay's objects, its workloads, and a namer.
export function ruleContext(objects, overlay) {
  return {
    objects,
    overlay,
    all: workloads(objects),
    at: (o, c) => `${overlay} ${id(o)}${c ? ` container ${c.name}` : ""}`,
  };
}

export const WORKLOAD_RULES = [
  {
    title: "has workloads to check",
    check({ objects, overlay, all, at }, fail) {
      if (all.length === 0) fail(`${overlay}: renders no workload`);
    },
  },
  {
    title: "runs as its own ServiceAccount without an API token",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all) {
        const spec = podTemplate(o).spec;
        const sa = spec.serviceAccountName;
        if (!sa || sa === "default") fail(`${at(o)}: set serviceAccountName to its own ServiceAccount`);
        else if (!find(objects, "ServiceAccount", sa)) fail(`${at(o)}: ServiceAccount ${sa} is not in the overlay`);
        const saObj = sa && find(objects, "ServiceAccount", sa);
        if (spec.automountServiceAccountToken !== false && saObj?.automountServiceAccountToken !== false) {
          fail(`${at(o)}: automountServiceAccountToken must be false (nothing here calls the Kubernetes API)`);
        }
      }
    },
  },
  {
    title: "pod security: runAsNonRoot, seccomp RuntimeDefault, no host namespaces",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all) {
        const spec = podTemplate(o).spec;
        const psc = spec.securityContext ?? {};
        for (const c of allContainers(spec)) {
          const sc = c.securityContext ?? {};
          if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) fail(`${at(o, c)}: runAsNonRoot must be true`);
          if ((sc.runAsUser ?? psc.runAsUser) === 0) fail(`${at(o, c)}: runAsUser must not be 0`);
          if ((sc.seccompProfile ?? psc.seccompProfile)?.type !== "RuntimeDefault") {
            fail(`${at(o, c)}: seccompProfile.type must be RuntimeDefault`);
          }
        }
        for (const k of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[k]) fail(`${at(o)}: ${k} must not be set`);
      }
    },
  },
  {
    title: "container security: allowPrivilegeEscalation false, readOnlyRootFilesystem, capabilities drop ALL",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all) {
        for (const c of allContainers(podTemplate(o).spec)) {
          const sc = c.securityContext ?? {};
          if (sc.allowPrivilegeEscalation !== false) fail(`${at(o, c)}: allowPrivilegeEscalation must be false`);
          if (sc.readOnlyRootFilesystem !== true) fail(`${at(o, c)}: readOnlyRootFilesystem must be true (mount an emptyDir where it writes)`);
          if (sc.privileged === true) fail(`${at(o, c)}: privileged must not be true`);
          if (!(sc.capabilities?.drop ?? []).includes("ALL")) fail(`${at(o, c)}: capabilities.drop must include ALL`);
          if ((sc.capabilities?.add ?? []).length > 0) fail(`${at(o, c)}: capabilities.add must be empty`);
        }
      }
    },
  },
  {
    title: "resources: cpu and memory requests and limits, requests within limits",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all) {
        for (const c of allContainers(podTemplate(o).spec)) {
          const r = c.resources ?? {};
          for (const kind of ["requests", "limits"]) {
            for (const res of ["cpu", "memory"]) {
              if (r[kind]?.[res] === undefined) fail(`${at(o, c)}: resources.${kind}.${res} is missing`);
            }
          }
          for (const res of ["cpu", "memory"]) {
            if (r.requests?.[res] !== undefined && r.limits?.[res] !== undefined &&
                quantity(r.requests[res]) > quantity(r.limits[res])) {
              fail(`${at(o, c)}: ${res} request ${r.requests[res]} exceeds its limit ${r.limits[res]}`);
            }
          }
        }
      }
    },
  },
  {
    title: "images: a tag other than latest, or a digest",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all) {
        for (const c of allContainers(podTemplate(o).spec)) {
          const img = c.image ?? "";
          const tag = /:([^/@]+)$/.exec(img.split("@")[0])?.[1];
          if (!img.includes("@sha256:") && (!tag || tag === "latest")) fail(`${at(o, c)}: image "${img}" needs a pinned tag or digest`);
        }
      }
    },
  },
  {
    title: "long-running workloads: readiness and liveness probes on every container",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all.filter(isLongRunning)) {
        for (const c of podTemplate(o).spec.containers) {
          if (!c.readinessProbe) fail(`${at(o, c)}: readinessProbe is missing`);
          if (!c.livenessProbe) fail(`${at(o, c)}: livenessProbe is missing`);
        }
      }
    },
  },
  {
    title: "SSL Panel images are known binaries (k8s/test/lib/binaries.mjs)",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all) {
        for (const c of allContainers(podTemplate(o).spec)) {
          const b = sslpanel(c);
          if (/(^|\/)sslpanel\//.test(c.image ?? "") && !BINARIES[b]) {
            fail(`${at(o, c)}: image ${c.image} is not in BINARIES; add it there so the rules know its flags`);
          }
        }
      }
    },
  },
  {
    title: "flags: every flag exists in its binary and every --flagfile comes from a mounted ConfigMap",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all) {
        const spec = podTemplate(o).spec;
        for (const c of allContainers(spec)) {
          if (!BINARIES[sslpanel(c)]) continue;
          const resolved = containerFlags(objects, spec, c);
          for (const e of resolved.errors) fail(`${at(o, c)}: ${e}`);
        }
      }
    },
  },
  {
    // With TLS on (--tls_cert_file) the kubelet's gRPC probes cannot reach
    // the main port: they go to the plaintext --health_listen port instead.
    title: "gRPC servers: port named grpc on --listen, native gRPC readiness and liveness probes on it (on --health_listen, port named health, with TLS)",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all.filter(isLongRunning)) {
        const spec = podTemplate(o).spec;
        for (const c of spec.containers) {
          const b = BINARIES[sslpanel(c)];
          if (b?.kind !== "grpc") continue;
          const resolved = containerFlags(objects, spec, c);
          const port = listenPort(resolved);
          const listen = resolved.flags.get("listen") ?? "";
          if (port === undefined) { fail(`${at(o, c)}: set --listen=0.0.0.0:PORT (the default listens on loopback only)`); continue; }
          if (/^(127\.|localhost|\[::1\])/.test(listen)) fail(`${at(o, c)}: --listen=${listen} is loopback; probes and Services cannot reach it`);
          const named = (c.ports ?? []).find((p) => p.name === "grpc");
          if (!named) fail(`${at(o, c)}: needs a container port named grpc`);
          else if (named.containerPort !== port) fail(`${at(o, c)}: port grpc is ${named.containerPort} but --listen says ${port}`);
          let probePort = port;
          let probeFlag = "--listen";
          if (resolved.flags.get("tls_cert_file")) {
            const health = /^(.*):(\d+)$/.exec(resolved.flags.get("health_listen") ?? "");
            if (!health) { fail(`${at(o, c)}: serves TLS, so set --health_listen=0.0.0.0:PORT for the kubelet's probes (they cannot speak TLS)`); continue; }
            if (/^(127\.|localhost|\[::1\])/.test(health[1])) fail(`${at(o, c)}: --health_listen is loopback; probes cannot reach it`);
            probePort = Number(health[2]);
            probeFlag = "--health_listen";
            const healthPort = (c.ports ?? []).find((p) => p.name === "health");
            if (healthPort?.containerPort !== probePort) fail(`${at(o, c)}: needs a container port named health on the --health_listen port ${probePort}`);
          }
          for (const kind of ["readinessProbe", "livenessProbe"]) {
            const probe = c[kind];
            if (!probe?.grpc) { fail(`${at(o, c)}: ${kind} must be a native grpc probe (grpc.health.v1)`); continue; }
            if (probe.grpc.port !== probePort) fail(`${at(o, c)}: ${kind}.grpc.port ${probe.grpc.port} is not the ${probeFlag} port ${probePort}`);
            const svc = probe.grpc.service;
            if (svc && !b.grpcServices.includes(svc)) fail(`${at(o, c)}: ${kind}.grpc.service "${svc}" is not served by ${sslpanel(c)} (${b.grpcServices.join(", ")})`);
          }
        }
      }
    },
  },
  {
    title: "gRPC servers: a Service selects the server pods (not migration pods) on a port named grpc",
    check({ objects, overlay, all, at }, fail) {
      const services = ofKind(objects, "Service");
      const migrationPods = all.filter((o) => o.kind === "Job").map((o) => podTemplate(o).metadata?.labels ?? {});
      for (const o of all.filter(isLongRunning)) {
        const tpl = podTemplate(o);
        if (!tpl.spec.containers.some((c) => BINARIES[sslpanel(c)]?.kind === "grpc")) continue;
        const selecting = services.filter((s) => serviceSelects(s, tpl.metadata?.labels));
        if (selecting.length === 0) { fail(`${at(o)}: no Service selects its pods`); continue; }
        for (const s of selecting) {
          const p = (s.spec.ports ?? []).find((x) => x.name === "grpc");
          if (!p) fail(`${overlay} ${id(s)}: needs a port named grpc (for ${id(o)})`);
          else if (p.targetPort !== "grpc" && !tpl.spec.containers.some((c) => (c.ports ?? []).some((cp) => cp.name === "grpc" && cp.containerPort === p.targetPort))) {
            fail(`${overlay} ${id(s)}: port grpc targets ${p.targetPort}, not the pods' grpc port`);
          }
          if (migrationPods.some((labels) => serviceSelects(s, labels))) {
            fail(`${overlay} ${id(s)}: its selector also matches migration Job pods; add app.kubernetes.io/component: server`);
          }
        }
      }
    },
  },
  {
    // Prometheus finds the pods by their annotations (k8s/README.md, "Metrics")
    // and NetworkPolicy allow-metrics-scrape admits it on the port named
    // metrics only; a server that forgets either is silently not monitored.
    title: "gRPC servers: --metrics_listen on a port named metrics, with the prometheus.io scrape annotations",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all.filter(isLongRunning)) {
        const tpl = podTemplate(o);
        const annotations = tpl.metadata?.annotations ?? {};
        const scrape = annotations["prometheus.io/scrape"] === "true";
        let grpcServer = false;
        for (const c of tpl.spec.containers) {
          if (BINARIES[sslpanel(c)]?.kind !== "grpc") continue;
          grpcServer = true;
          const resolved = containerFlags(objects, tpl.spec, c);
          const metrics = metricsListen(resolved);
          if (!metrics.value) { fail(`${at(o, c)}: set --metrics_listen=0.0.0.0:9090 (in its service.flags; metrics are off when empty)`); continue; }
          if (metrics.port === undefined) { fail(`${at(o, c)}: --metrics_listen=${metrics.value} must be host:port`); continue; }
          if (metrics.port === 0) fail(`${at(o, c)}: --metrics_listen=${metrics.value}: port 0 picks a free port nobody can scrape`);
          if (/^(127\.|localhost$|\[::1\]$)/.test(metrics.host)) fail(`${at(o, c)}: --metrics_listen=${metrics.value} is loopback; Prometheus cannot reach it`);
          if (metrics.port === listenPort(resolved)) fail(`${at(o, c)}: --metrics_listen and --listen share port ${metrics.port}`);
          const named = (c.ports ?? []).find((p) => p.name === "metrics");
          if (!named) fail(`${at(o, c)}: needs a container port named metrics (${metrics.port}, from --metrics_listen)`);
          else if (named.containerPort !== metrics.port) fail(`${at(o, c)}: port metrics is ${named.containerPort} but --metrics_listen says ${metrics.port}`);
          else if ((named.protocol ?? "TCP") !== "TCP") fail(`${at(o, c)}: port metrics must be TCP`);
          if (!scrape) fail(`${at(o)}: the pod template needs the annotation prometheus.io/scrape: "true"`);
          if (annotations["prometheus.io/port"] !== String(metrics.port)) {
            fail(`${at(o)}: annotation prometheus.io/port is ${JSON.stringify(annotations["prometheus.io/port"])} but --metrics_listen says ${metrics.port}`);
          }
          if (annotations["prometheus.io/path"] !== "/metrics") {
            fail(`${at(o)}: annotation prometheus.io/path must be /metrics (got ${JSON.stringify(annotations["prometheus.io/path"])})`);
          }
        }
        // Any other pod asking to be scraped must offer the port the network policy opens.
        if (scrape && !grpcServer) {
          const port = Number(annotations["prometheus.io/port"]);
          if (!tpl.spec.containers.some((c) => (c.ports ?? []).some((p) => p.name === "metrics" && p.containerPort === port))) {
            fail(`${at(o)}: prometheus.io/scrape is "true" but no container port named metrics is ${annotations["prometheus.io/port"]}`);
          }
        }
      }
    },
  },
  {
    title: "Services: metrics only ever on a Service port named metrics, never on the grpc port",
    check({ objects, overlay, all, at }, fail) {
      for (const s of ofKind(objects, "Service")) {
        const containers = all.filter(isLongRunning)
          .filter((o) => serviceSelects(s, podTemplate(o).metadata?.labels))
          .flatMap((o) => podTemplate(o).spec.containers);
        for (const p of s.spec.ports ?? []) {
          const target = p.targetPort ?? p.port;
          const hits = containers.flatMap((c) => (c.ports ?? []).filter((cp) =>
            typeof target === "string" ? cp.name === target : cp.containerPort === target));
          const toMetrics = hits.some((cp) => cp.name === "metrics");
          if (toMetrics && p.name !== "metrics") {
            fail(`${overlay} ${id(s)}: port ${p.name ?? p.port} targets the pods' metrics port; metrics stay off the gRPC Service (a port for them must be named metrics)`);
          }
          if (p.name === "metrics" && !toMetrics) fail(`${overlay} ${id(s)}: port metrics targets ${target}, not the pods' port named metrics`);
        }
      }
    },
  },
  {
    title: "terminationGracePeriodSeconds exceeds preStop plus the binary's shutdown deadline",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all.filter(isLongRunning)) {
        const spec = podTemplate(o).spec;
        const grace = spec.terminationGracePeriodSeconds ?? 30;
        for (const c of spec.containers) {
          const b = BINARIES[sslpanel(c)];
          if (!b) continue;
          const f = flagView(containerFlags(objects, spec, c));
          let preStop = 0;
          const hook = c.lifecycle?.preStop;
          if (hook?.sleep) preStop = hook.sleep.seconds;
          else if (hook) fail(`${at(o, c)}: preStop may only sleep (the image has no shell)`);
          const { seconds, why } = b.shutdown(f);
          if (!(grace > preStop + seconds)) {
            fail(`${at(o, c)}: terminationGracePeriodSeconds ${grace} must exceed preStop ${preStop}s + ${why} (${seconds}s) = ${preStop + seconds}s`);
          }
        }
      }
    },
  },
  {
    title: "gRPC servers: a preStop sleep lets endpoints drop the pod before SIGTERM",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all.filter(isLongRunning)) {
        for (const c of podTemplate(o).spec.containers) {
          if (BINARIES[sslpanel(c)]?.kind === "grpc" && !(c.lifecycle?.preStop?.sleep?.seconds > 0)) {
            fail(`${at(o, c)}: add lifecycle.preStop.sleep (a few seconds)`);
          }
        }
      }
    },
  },
  {
    title: "input files: every *_file flag points at a mounted ConfigMap or Secret key",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all) {
        const spec = podTemplate(o).spec;
        for (const c of allContainers(spec)) {
          if (!BINARIES[sslpanel(c)]) continue;
          const resolved = containerFlags(objects, spec, c);
          const { files } = containerFilesFor(objects, spec, c);
          for (const [name, value] of resolved.flags) {
            if (!value || !isInputFile(name)) continue;
            const f = files.get(value);
            if (!f) fail(`${at(o, c)}: --${name}=${value} is not a mounted file (mount the ConfigMap/Secret key there)`);
            else if (f.missingKey) fail(`${at(o, c)}: --${name}=${value}: ${f.from} does not exist in the overlay`);
            else if (f.optional && !f.external) fail(`${at(o, c)}: --${name}=${value} is read from an optional volume`);
          }
        }
      }
    },
  },
  {
    title: "writable directories are volumes; a ReadWriteOnce claim has one replica and the Recreate strategy",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all) {
        const spec = podTemplate(o).spec;
        for (const c of allContainers(spec)) {
          const b = BINARIES[sslpanel(c)];
          if (!b) continue;
          const resolved = containerFlags(objects, spec, c);
          if (resolved.positional.includes("migrate")) continue; // migrate reads no directory
          const { dirs } = containerFilesFor(objects, spec, c);
          for (const flag of b.writableDirFlags ?? []) {
            const value = flagView(resolved).raw(flag);
            const dir = dirs.find((d) => value === d.path || value?.startsWith(`${d.path}/`));
            if (!dir?.writable) fail(`${at(o, c)}: --${flag}=${value} must be on a writable volume (the root file system is read-only)`);
          }
        }
        for (const v of spec.volumes ?? []) {
          const claim = v.persistentVolumeClaim && find(objects, "PersistentVolumeClaim", v.persistentVolumeClaim.claimName);
          if (v.persistentVolumeClaim && !claim) fail(`${at(o)}: PersistentVolumeClaim ${v.persistentVolumeClaim.claimName} is not in the overlay`);
          if (claim?.spec?.accessModes?.includes("ReadWriteOnce") && o.kind === "Deployment") {
            if ((o.spec.replicas ?? 1) > 1) fail(`${at(o)}: replicas must be 1 with the ReadWriteOnce claim ${claim.metadata.name}`);
            if (o.spec.strategy?.type !== "Recreate") fail(`${at(o)}: strategy must be Recreate with the ReadWriteOnce claim ${claim.metadata.name}`);
          }
        }
      }
    },
  },
  {
    title: "migration Jobs: `<binary> migrate`, no restarts in place, bounded retries and time",
    check({ objects, overlay, all, at }, fail) {
      for (const o of ofKind(objects, "Job")) {
        const spec = podTemplate(o).spec;
        if (!["Never", "OnFailure"].includes(spec.restartPolicy)) fail(`${at(o)}: restartPolicy must be Never or OnFailure`);
        if (o.spec.backoffLimit === undefined) fail(`${at(o)}: set backoffLimit`);
        if (o.spec.activeDeadlineSeconds === undefined) fail(`${at(o)}: set activeDeadlineSeconds`);
        for (const c of spec.containers) {
          if (!BINARIES[sslpanel(c)]) continue;
          const resolved = containerFlags(objects, spec, c);
          if (resolved.positional.join(" ") !== "migrate") fail(`${at(o, c)}: args must run the "migrate" command (got "${resolved.positional.join(" ")}")`);
        }
      }
    },
  },
  {
    title: "database owners: each server has a migration Job with its image and database, and its own database",
    check({ objects, overlay, all, at }, fail) {
      const jobs = ofKind(objects, "Job").map((j) => {
        const spec = podTemplate(j).spec;
        const c = spec.containers[0];
        return { job: j, image: c.image, flags: flagView(containerFlags(objects, spec, c)) };
      });
      const seen = new Map();
      for (const o of all.filter(isLongRunning)) {
        const spec = podTemplate(o).spec;
        for (const c of spec.containers) {
          const b = BINARIES[sslpanel(c)];
          if (!b?.ownsDatabase) continue;
          const f = flagView(containerFlags(objects, spec, c));
          if (!f.has("db_name")) fail(`${at(o, c)}: set --db_name explicitly`);
          const db = `${f.raw("db_host")}:${f.raw("db_port")}/${f.raw("db_name")}`;
          if (seen.has(db)) fail(`${at(o, c)}: database ${db} is also used by ${seen.get(db)}; each service owns its own`);
          seen.set(db, id(o));
          const job = jobs.find((j) => j.image === c.image &&
            `${j.flags.raw("db_host")}:${j.flags.raw("db_port")}/${j.flags.raw("db_name")}` === db);
          if (!job) fail(`${at(o, c)}: no migration Job runs ${c.image} migrate against ${db}`);
          if (!(podTemplate(o).metadata?.labels?.["sslpanel.io/database-client"] === "true")) {
            fail(`${at(o)}: pods need the label sslpanel.io/database-client=true (network policy to the database)`);
          }
        }
      }
      for (const j of jobs) {
        if (!(podTemplate(j.job).metadata?.labels?.["sslpanel.io/database-client"] === "true")) {
          fail(`${overlay} ${id(j.job)}: pods need the label sslpanel.io/database-client=true`);
        }
      }
    },
  },
  {
    title: "every ConfigMap, Secret and ServiceAccount a pod uses exists, or is one the operators provide (README)",
    check({ objects, overlay, all, at }, fail) {
      const external = EXTERNAL[overlay] ?? [];
      for (const o of all) {
        const spec = podTemplate(o).spec;
        for (const v of spec.volumes ?? []) {
          const refs = [];
          if (v.configMap) refs.push(["ConfigMap", v.configMap.name, v.configMap.optional]);
          if (v.secret) refs.push(["Secret", v.secret.secretName, v.secret.optional]);
          // cert-manager writes the Secret a Certificate of the overlay names.
          const issued = ofKind(objects, "Certificate").map((cert) => cert.spec?.secretName);
          for (const [kind, name, optional] of refs) {
            if (find(objects, kind, name) || optional) continue;
            if (kind === "Secret" && issued.includes(name)) continue;
            if (!external.includes(`${kind}/${name}`)) fail(`${at(o)}: ${kind} ${name} is neither in the overlay nor listed as operator-provided`);
          }
        }
        for (const c of allContainers(spec)) {
          const mounts = new Set([...(spec.volumes ?? []), ...(o.spec.volumeClaimTemplates ?? []).map((t) => t.metadata)].map((v) => v.name));
          for (const m of c.volumeMounts ?? []) if (!mounts.has(m.name)) fail(`${at(o, c)}: mounts undefined volume ${m.name}`);
        }
      }
    },
  },
  {
    title: "selectors: each Deployment/StatefulSet selector matches its own pod template",
    check({ objects, overlay, all, at }, fail) {
      for (const o of all.filter((x) => ["Deployment", "StatefulSet"].includes(x.kind))) {
        if (!labelsMatch(o.spec.selector, podTemplate(o).metadata?.labels)) fail(`${at(o)}: spec.selector does not match the pod template's labels`);
      }
    },
  },
];
