// What the manifests may assume about each SSL Panel binary. Flag names and
// defaults are read from the C++ sources (ABSL_FLAG definitions), so a flag
// renamed or re-defaulted in the code fails these checks until k8s/ follows.
// A new binary (image sslpanel/<name>) must be added here: the rules then
// apply to it automatically.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./render.mjs";

const SERVER_FLAGS = "common/grpc/server_flags.cc";
const DB_FLAGS = "common/mysql/db_flags.cc";

export const BINARIES = {
  "workflow-service": {
    kind: "grpc",
    grpcServices: ["sslpanel.workflow.v1.WorkflowService"],
    flagSources: [SERVER_FLAGS, DB_FLAGS, "workflow-service/src", "common/crypto/keyring_flags.cc"],
    ownsDatabase: true,
    // After SIGTERM the server drains for --shutdown_grace; then the outbox and
    // CA-sync workers finish the call they are in (at most --call_timeout).
    shutdown: (f) => ({
      seconds: f.seconds("shutdown_grace") + (f.bool("processing") ? f.seconds("call_timeout") : 0),
      why: f.bool("processing") ? "--shutdown_grace + --call_timeout" : "--shutdown_grace",
    }),
  },
  "prevalidation-service": {
    kind: "grpc",
    grpcServices: ["sslpanel.prevalidation.v1.PrevalidationService"],
    flagSources: [SERVER_FLAGS, "prevalidation-service/src"],
    ownsDatabase: false,
    shutdown: (f) => ({ seconds: f.seconds("shutdown_grace"), why: "--shutdown_grace" }),
  },
  "ca-adapter-sandbox": {
    kind: "grpc",
    grpcServices: ["sslpanel.ca.v1.CaAdapterService"],
    flagSources: [SERVER_FLAGS, DB_FLAGS, "ca-adapter/src/server", "ca-adapter/src/sandbox_main.cc"],
    ownsDatabase: true,
    writableDirFlags: ["ca_dir"],
    // A call under way may keep talking to the CA for --call_budget.
    shutdown: (f) => ({
      seconds: Math.max(f.seconds("shutdown_grace"), f.seconds("call_budget")),
      why: "max(--shutdown_grace, --call_budget)",
    }),
  },
  "ca-adapter-acme": {
    kind: "grpc",
    grpcServices: ["sslpanel.ca.v1.CaAdapterService"],
    flagSources: [SERVER_FLAGS, DB_FLAGS, "ca-adapter/src/server", "ca-adapter/src/acme_main.cc",
      "common/crypto/keyring_flags.cc"],
    ownsDatabase: true,
    shutdown: (f) => ({
      seconds: Math.max(f.seconds("shutdown_grace"), f.seconds("call_budget")),
      why: "max(--shutdown_grace, --call_budget)",
    }),
  },
  "ca-adapter-sectigo": {
    kind: "grpc",
    grpcServices: ["sslpanel.ca.v1.CaAdapterService"],
    flagSources: [SERVER_FLAGS, DB_FLAGS, "ca-adapter/src/server", "ca-adapter/src/sectigo_main.cc"],
    ownsDatabase: true,
    shutdown: (f) => ({
      seconds: Math.max(f.seconds("shutdown_grace"), f.seconds("call_budget")),
      why: "max(--shutdown_grace, --call_budget)",
    }),
  },
  // The read-only HTML console (console/): an HTTP server and a gRPC client.
  console: {
    kind: "http",
    flagSources: ["console/src/main.cc"],
    ownsDatabase: false,
    // Stops its listener on SIGTERM; a page under way finishes within a few
    // workflow calls of --call_timeout each (about three).
    shutdown: (f) => ({ seconds: 3 * f.seconds("call_timeout"), why: "3 x --call_timeout" }),
  },
  "fake-registries": {
    kind: "http",
    flagSources: ["prevalidation-service/fake/main.cc"],
    ownsDatabase: false,
    devOnly: true,
    // Exits at once on SIGTERM.
    shutdown: () => ({ seconds: 0, why: "exits at once" }),
  },
  // The fake Sectigo reseller API (ca-adapter/sectigo-fake), dev only.
  "sectigo-fake": {
    kind: "http",
    flagSources: ["ca-adapter/sectigo-fake/src/main.cc"],
    ownsDatabase: false,
    devOnly: true,
    writableDirFlags: ["ca_dir"],
    // Stops its listener on SIGTERM and exits.
    shutdown: () => ({ seconds: 0, why: "exits at once" }),
  },
};

// Flags absl itself defines in every binary.
const ABSL_BUILTIN = ["flagfile", "fromenv", "tryfromenv", "undefok", "help", "helpfull", "helpshort",
  "helppackage", "helpon", "helpmatch", "version", "only_check_args"];

// Flags whose value is a file the binary reads (it must be mounted).
export function isInputFileFlag(name) {
  return (/_file$/.test(name) && !/port_file$/.test(name)) || name === "ca_bundle";
}

// The binary of an image reference: "sslpanel/x", "registry/sslpanel/x:tag".
export function binaryOfImage(image) {
  const m = /(?:^|\/)sslpanel\/([a-z0-9-]+)(?::[^@]*)?(?:@.*)?$/.exec(image ?? "");
  return m ? m[1] : undefined;
}

// Flags of every gRPC server that parallel work defines (issue 14: the
// authorization policy, common/grpc). Accepted as string flags while the
// sources do not define them yet; once they do, the definition wins and this
// entry is inert (delete it then).
const PENDING_SERVER_FLAGS = ["authz_policy_file"];

function sourceFiles(rel) {
  const abs = path.join(REPO_ROOT, rel);
  if (statSync(abs).isFile()) return [abs];
  const out = [];
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    const p = path.join(abs, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path.relative(REPO_ROOT, p)));
    else if (/\.(cc|h)$/.test(entry.name) && !/_test\.cc$/.test(entry.name)) out.push(p);
  }
  return out;
}

// absl default expressions this project uses, in seconds or as strings.
function parseDefault(type, expr) {
  expr = expr.trim();
  if (type.includes("Duration")) {
    if (/^absl::ZeroDuration\(\)$/.test(expr)) return "0s";
    const m = /^absl::(Hours|Minutes|Seconds|Milliseconds)\((\d+)\)$/.exec(expr);
    if (m) return `${m[2]}${{ Hours: "h", Minutes: "m", Seconds: "s", Milliseconds: "ms" }[m[1]]}`;
    return undefined;
  }
  if (type === "bool") return expr;
  if (type === "int") return expr;
  const s = /^"(.*)"$/.exec(expr);
  return s ? s[1] : undefined;
}

const flagCache = new Map();

// name -> { type, default } for every flag the binary defines.
export function knownFlags(binary) {
  if (flagCache.has(binary)) return flagCache.get(binary);
  const flags = new Map(ABSL_BUILTIN.map((n) => [n, { type: "builtin" }]));
  const re = /ABSL_FLAG\(\s*([\w:<>]+)\s*,\s*(\w+)\s*,\s*((?:[^,"()]|"(?:[^"\\]|\\.)*"|\([^()]*\))+)\s*,/g;
  for (const src of BINARIES[binary].flagSources) {
    for (const file of sourceFiles(src)) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(re)) {
        flags.set(m[2], { type: m[1], default: parseDefault(m[1], m[3]) });
      }
    }
  }
  if (flags.size === ABSL_BUILTIN.length) {
    throw new Error(`no ABSL_FLAG found for ${binary} in ${BINARIES[binary].flagSources.join(", ")}`);
  }
  if (BINARIES[binary].kind === "grpc") {
    for (const name of PENDING_SERVER_FLAGS) if (!flags.has(name)) flags.set(name, { type: "std::string", default: "" });
  }
  flagCache.set(binary, flags);
  return flags;
}

// absl duration text ("10s", "1m30s", "250ms", "0") in seconds.
export function durationSeconds(text) {
  if (text === "0" || text === "0s") return 0;
  const unit = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let rest = String(text).trim();
  let total = 0;
  if (!rest) throw new Error("empty duration");
  while (rest) {
    const m = /^([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)/.exec(rest);
    if (!m) throw new Error(`not an absl duration: "${text}"`);
    total += Number(m[1]) * unit[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}
