// What a container sees: the files its volumes provide, and the flags it
// runs with once its --flagfile arguments are expanded from the ConfigMaps.
import path from "node:path";
import { binaryOfImage, durationSeconds, isInputFileFlag, knownFlags, BINARIES } from "./binaries.mjs";
import { find } from "./render.mjs";

// Files and directories a container gets from its volume mounts:
//   files: path -> { from: "ConfigMap x key k" , content?, external }
//   dirs:  [{ path, writable, volume }]
export function containerFiles(objects, podSpec, container) {
  const files = new Map();
  const dirs = [];
  const volumes = new Map((podSpec.volumes ?? []).map((v) => [v.name, v]));
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.get(mount.name);
    if (!volume) continue; // reported by the reference rule
    const sources = [];
    if (volume.configMap) sources.push({ kind: "ConfigMap", name: volume.configMap.name, ...volume.configMap });
    if (volume.secret) sources.push({ kind: "Secret", name: volume.secret.secretName, ...volume.secret });
    for (const s of volume.projected?.sources ?? []) {
      if (s.configMap) sources.push({ kind: "ConfigMap", name: s.configMap.name, ...s.configMap });
      if (s.secret) sources.push({ kind: "Secret", name: s.secret.name, ...s.secret });
    }
    if (sources.length === 0) {
      const writable = !mount.readOnly && Boolean(volume.emptyDir || volume.persistentVolumeClaim || volume.ephemeral);
      dirs.push({ path: mount.mountPath, writable, volume });
      continue;
    }
    for (const src of sources) {
      const obj = find(objects, src.kind, src.name);
      const data = obj ? { ...(obj.data ?? {}), ...(obj.stringData ?? {}) } : undefined;
      const keys = src.items ? src.items.map((i) => [i.key, i.path]) : Object.keys(data ?? {}).map((k) => [k, k]);
      for (const [key, rel] of keys) {
        const file = mount.subPath ? (mount.subPath === rel ? mount.mountPath : undefined) : path.posix.join(mount.mountPath, rel);
        if (!file) continue;
        let content;
        if (data && key in data) {
          content = src.kind === "Secret" && obj.data && key in obj.data ? Buffer.from(obj.data[key], "base64").toString() : data[key];
        }
        files.set(file, {
          from: `${src.kind} ${src.name} key ${key}`,
          kind: src.kind,
          name: src.name,
          key,
          content,
          external: !obj,
          missingKey: Boolean(obj) && !(key in (data ?? {})),
          optional: Boolean(src.optional),
        });
      }
    }
  }
  return { files, dirs };
}

// Parses the container's args (and the flagfiles they name) into flags.
// Returns { binary, positional, flags: Map(name -> value), origin: Map(name -> where), errors }.
export function containerFlags(objects, podSpec, container) {
  const binary = binaryOfImage(container.image);
  const { files } = containerFiles(objects, podSpec, container);
  const result = { binary, positional: [], flags: new Map(), origin: new Map(), errors: [], flagfiles: [] };
  const known = binary && BINARIES[binary] ? knownFlags(binary) : undefined;

  const take = (arg, where, depth) => {
    if (!arg.startsWith("-")) {
      if (where !== "args") result.errors.push(`${where}: "${arg}" is not a flag`);
      else result.positional.push(arg);
      return;
    }
    const m = /^--?([A-Za-z0-9_]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      result.errors.push(`${where}: cannot parse "${arg}" (use --flag=value)`);
      return;
    }
    let [, name, value] = m;
    if (value === undefined) {
      if (known && !known.has(name) && name.startsWith("no") && known.get(name.slice(2))?.type === "bool") {
        name = name.slice(2);
        value = "false";
      } else {
        value = "true";
      }
    }
    if (known && !known.has(name)) {
      result.errors.push(`${where}: --${name} is not a flag of ${binary} (the binary exits on unknown flags)`);
    }
    if (known && value === "true" && known.get(name) && !["bool", "builtin"].includes(known.get(name).type)) {
      result.errors.push(`${where}: --${name} needs a value (--${name}=...)`);
    }
    if (name === "flagfile") {
      for (const file of value.split(",")) {
        const f = files.get(file);
        result.flagfiles.push(file);
        if (!f) {
          result.errors.push(`${where}: --flagfile ${file} is not mounted from a ConfigMap`);
          continue;
        }
        if (f.kind !== "ConfigMap" || f.content === undefined) {
          result.errors.push(`${where}: --flagfile ${file} must come from a ConfigMap in the overlay (${f.from})`);
          continue;
        }
        if (depth > 5) {
          result.errors.push(`${where}: --flagfile nesting too deep`);
          continue;
        }
        f.content.split("\n").forEach((line, i) => {
          const t = line.trim();
          if (t === "" || t.startsWith("#")) return;
          take(t, `${file}:${i + 1} (${f.from})`, depth + 1);
        });
      }
      return;
    }
    result.flags.set(name, value);
    result.origin.set(name, where);
  };
  for (const arg of container.command?.length ? container.command.slice(1) : []) take(arg, "command", 0);
  for (const arg of container.args ?? []) take(arg, "args", 0);
  return result;
}

// Typed access to the effective flags, falling back to the binary's defaults.
export function flagView(resolved) {
  const known = resolved.binary && BINARIES[resolved.binary] ? knownFlags(resolved.binary) : new Map();
  const raw = (name) => (resolved.flags.has(name) ? resolved.flags.get(name) : known.get(name)?.default);
  return {
    raw,
    has: (name) => resolved.flags.has(name),
    seconds: (name) => {
      const v = raw(name);
      if (v === undefined) throw new Error(`--${name} has no value and no known default`);
      return durationSeconds(v);
    },
    bool: (name) => {
      const v = raw(name);
      return v === true || v === "true" || v === "1";
    },
  };
}

export function listenPort(resolved) {
  const v = resolved.flags.get("listen");
  const m = /:(\d+)$/.exec(v ?? "");
  return m ? Number(m[1]) : undefined;
}

export { isInputFileFlag };

// --metrics_listen as { value, host, port }: value "" when metrics are off,
// port undefined when the value is not host:port.
export function metricsListen(resolved) {
  const value = resolved.flags.get("metrics_listen") ?? "";
  const m = /^(.*):(\d+)$/.exec(value);
  return m ? { value, host: m[1], port: Number(m[2]) } : { value };
}
