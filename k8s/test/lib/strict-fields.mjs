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

// Custom resources the overlays use, by API group -> the npm package with
// their models (pinned in k8s/package.json like kubernetes-models). Their
// declarations write nested objects inline, so they are parsed as a tree.
export const CRD_MODELS = { "cert-manager.io": "@kubernetes-models/cert-manager" };

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

// An inline declaration (a custom resource's) as a tree: lines at `indent`
// are properties; a type ending in "{" (an object, or Array<{ ...) nests
// one level deeper until the brace that closes it.
function parseInline(lines, start, indent) {
  const props = new Map();
  let open = false;
  let i = start;
  const pad = " ".repeat(indent);
  const close = " ".repeat(indent - 4) + "}";
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith(close)) break;
    if (line.startsWith(pad + "[key: string]")) { open = true; continue; }
    const m = new RegExp(`^${pad}"([^"]+)"\\??: (.*)$`).exec(line);
    if (!m) continue;
    const type = m[2];
    if (/\{$/.test(type)) {
      const nested = parseInline(lines, i + 1, indent + 4);
      props.set(m[1], { array: type.startsWith("Array<"), decl: nested.decl });
      i = nested.end;
    } else {
      props.set(m[1], { leaf: type.replace(/;$/, "") });
    }
  }
  return { decl: { props, open: open || props.size === 0 }, end: i };
}

function checkInline(value, decl, imports, at, problems) {
  if (value === null || typeof value !== "object" || decl.open) return;
  for (const [k, v] of Object.entries(value)) {
    const prop = decl.props.get(k);
    if (!prop) {
      problems.push(`${at}/${k}: unknown field (allowed: ${[...decl.props.keys()].join(", ")})`);
    } else if (prop.decl) {
      const items = prop.array && Array.isArray(v) ? v : [v];
      items.forEach((item, n) => checkInline(item, prop.decl, imports, prop.array ? `${at}/${k}/${n}` : `${at}/${k}`, problems));
    } else {
      walk(v, prop.leaf, { imports }, `${at}/${k}`, problems);
    }
  }
}

function crdUnknownFields(object, pkg) {
  const file = path.join(NODE_MODULES, pkg, object.apiVersion, `${object.kind}.d.ts`);
  if (!existsSync(file)) return [`no declaration for ${object.apiVersion} ${object.kind} in ${pkg}`];
  const text = readFileSync(file, "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "").replace(/\n\s*\n/g, "\n");
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";/gm)) {
    for (const name of m[1].split(",").map((x) => x.trim())) imports.set(name, `${path.join(NODE_MODULES, m[2])}.d.ts`);
  }
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^export interface I\w+ \{$/.test(l));
  if (start < 0) return [`cannot read the declaration of ${object.apiVersion} ${object.kind}`];
  const problems = [];
  checkInline(object, parseInline(lines, start + 1, 4).decl, imports, "", problems);
  return problems;
}

// Unknown fields of one object, as "path: unknown field (...)".
export function unknownFields(object) {
  const { apiVersion, kind } = object;
  const crd = CRD_MODELS[apiVersion.split("/")[0]];
  if (crd) return crdUnknownFields(object, crd);
  const dir = apiVersion.includes("/") ? apiVersion : "v1";
  const file = path.join(MODELS, dir, `${kind}.d.ts`);
  if (!existsSync(file)) return [`no declaration for ${apiVersion} ${kind}`];
  const problems = [];
  checkObject(object, parseDeclaration(file), "", problems);
  return problems;
}
