// Unknown fields. The OpenAPI schemas of kubernetes-models accept any extra
// property, but the API server rejects unknown fields (kubectl's default
// strict validation) or, worse, some tools drop them silently: a misspelt
// "readOnlyRootFileSystem" would pass every other offline check. This walks
// each object along the TypeScript declarations that ship with
// kubernetes-models (the same OpenAPI definitions) and lists every property
// the Kubernetes API does not define.
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { K8S_DIR } from "./render.mjs";

const require = createRequire(path.join(K8S_DIR, "package.json"));
const MODELS = path.dirname(require.resolve("kubernetes-models/package.json"));
const NODE_MODULES = path.resolve(MODELS, "..");

const parsed = new Map();

// file -> { props: Map(name -> type text), imports: Map(identifier -> file), open: bool } | null (a leaf type)
function parseDeclaration(file) {
  if (parsed.has(file)) return parsed.get(file);
  const text = readFileSync(file, "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "");
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";/gm)) {
    const target = m[2].startsWith(".") ? path.resolve(path.dirname(file), m[2]) : path.join(NODE_MODULES, m[2]);
    for (const name of m[1].split(",").map((s) => s.trim())) imports.set(name, `${target}.d.ts`);
  }
  const iface = /^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(text);
  let result = null;
  if (iface) {
    const props = new Map();
    const lines = iface[1].split("\n");
    let open = false;
    for (let i = 0; i < lines.length; i++) {
      const m = /^ {4}"([^"]+)"\??: (.*)$/.exec(lines[i]);
      if (!m) {
        if (/^ {4}\[key: string\]/.test(lines[i])) open = true;
        continue;
      }
      let type = m[2].replace(/;$/, "");
      if (type === "{") {
        const value = /\[key: string\]: (.*);/.exec(lines[i + 1] ?? "");
        type = { map: value ? value[1] : "any" };
      }
      props.set(m[1], type);
    }
    result = { props, imports, open: open || props.size === 0 };
  }
  parsed.set(file, result);
  return result;
}

function walk(value, typeText, context, at, problems) {
  if (value === null || typeof value !== "object") return;
  if (typeof typeText === "object" && typeText.map) {
    for (const [k, v] of Object.entries(value)) walk(v, typeText.map, context, `${at}/${k}`, problems);
    return;
  }
  const array = /^Array<(.*)>$/.exec(typeText);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, array[1], context, `${at}/${i}`, problems));
    return;
  }
  const file = context.imports.get(typeText);
  if (!file || !existsSync(file)) return; // a leaf: string, number, union, quantity, ...
  const decl = parseDeclaration(file);
  if (decl) checkObject(value, decl, at, problems);
}

function checkObject(value, decl, at, problems) {
  if (decl.open || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (!decl.props.has(k)) {
      problems.push(`${at}/${k}: unknown field (allowed: ${[...decl.props.keys()].join(", ")})`);
      continue;
    }
    walk(v, decl.props.get(k), decl, `${at}/${k}`, problems);
  }
}

// Unknown fields of one object, as "path: unknown field (...)".
export function unknownFields(object) {
  const { apiVersion, kind } = object;
  const dir = apiVersion.includes("/") ? apiVersion : "v1";
  const file = path.join(MODELS, dir, `${kind}.d.ts`);
  if (!existsSync(file)) return [`no declaration for ${apiVersion} ${kind}`];
  const problems = [];
  checkObject(object, parseDeclaration(file), "", problems);
  return problems;
}
