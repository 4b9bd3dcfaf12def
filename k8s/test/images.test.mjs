// docker/Dockerfile cannot be built here (no Docker engine), so its promises
// are checked against the repository instead: it installs the build packages
// of scripts/lib/common.sh, copies every CMake subdirectory, builds with the
// CMake command of scripts/test, has one image per binary the manifests use,
// and each image's runtime packages provide every shared library its binary
// links (read from the binaries scripts/test built, when present).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { BINARIES, binaryOfImage } from "./lib/binaries.mjs";
import { OVERLAYS, REPO_ROOT, allContainers, load, podTemplate, workloads } from "./lib/render.mjs";

const DOCKERFILE = readFileSync(path.join(REPO_ROOT, "docker/Dockerfile"), "utf8").replace(/\\\n/g, " ");

// Stages: name -> the instructions after "FROM ... AS name".
const stages = new Map();
{
  let current;
  for (const line of DOCKERFILE.split("\n")) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = { base: from[1], lines: [] };
      stages.set(from[2] ?? `#${stages.size}`, current);
    } else if (current && line.trim() && !line.trim().startsWith("#")) {
      current.lines.push(line.trim());
    }
  }
}

const words = (s) => s.split(/\s+/).filter(Boolean);

// Packages the C++ build and tests need, from scripts/lib/common.sh.
function projectPackages() {
  const out = execFileSync("bash", ["-c", 'source scripts/lib/common.sh && printf "%s\\n" "${SSLPANEL_PACKAGES[@]}"'], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  return words(out);
}

// Packages common.sh lists that the image build does not need.
const NOT_FOR_THE_IMAGE_BUILD = new Set(["mariadb-server", "mariadb-client", "pebble", "clang-format", "git", "curl",
  "openssl", "ccache", "python3-prometheus-client", "chromium"]);
// Always in debian:12-slim (essential or required by apt).
const BASE_IMAGE_PACKAGES = new Set(["libc6", "libgcc-s1"]);

describe("docker/Dockerfile", () => {
  const build = stages.get("build");

  test("has a build stage on debian:12", () => {
    assert.ok(build, "no stage named build");
    assert.match(DOCKERFILE, /^ARG DEBIAN_IMAGE=debian:12$/m);
    assert.match(DOCKERFILE, /^ARG DEBIAN_SLIM_IMAGE=debian:12-slim$/m);
  });

  test("build stage installs the build packages of scripts/lib/common.sh", () => {
    const install = build.lines.find((l) => /apt-get install/.test(l));
    assert.ok(install, "no apt-get install in the build stage");
    const listed = new Set(words(install.split("--no-install-recommends")[1].split("&&")[0]));
    const wanted = projectPackages().filter((p) => !NOT_FOR_THE_IMAGE_BUILD.has(p));
    const missing = wanted.filter((p) => !listed.has(p));
    const extra = [...listed].filter((p) => !projectPackages().includes(p));
    assert.deepEqual(missing, [], `add to the Dockerfile's build stage (they are in scripts/lib/common.sh): ${missing.join(" ")}`);
    assert.deepEqual(extra, [], `not in scripts/lib/common.sh's SSLPANEL_PACKAGES: ${extra.join(" ")}`);
  });

  test("build stage copies the whole CMake project", () => {
    const root = readFileSync(path.join(REPO_ROOT, "CMakeLists.txt"), "utf8");
    const copied = build.lines.filter((l) => l.startsWith("COPY ")).map((l) => words(l)[1].replace(/\/$/, ""));
    const needed = ["CMakeLists.txt", "cmake", ...[...root.matchAll(/^add_subdirectory\((\S+)\)/gm)].map((m) => m[1])];
    for (const n of needed) assert.ok(copied.includes(n), `the build stage must COPY ${n}/ (CMakeLists.txt uses it)`);
  });

  test("build stage configures and builds like scripts/test", () => {
    const common = readFileSync(path.join(REPO_ROOT, "scripts/lib/common.sh"), "utf8");
    const configure = /cmake -S "\$SSLPANEL_ROOT" -B "\$dir" (.*?) >/.exec(common)?.[1];
    assert.ok(configure, "cannot find the cmake configure command in scripts/lib/common.sh");
    const run = build.lines.find((l) => l.startsWith("RUN cmake"));
    assert.ok(run?.includes(`cmake -S . -B build ${configure}`), `configure with: cmake -S . -B build ${configure}`);
  });

  const used = new Set();
  for (const overlay of OVERLAYS) {
    for (const w of workloads(load(overlay))) {
      for (const c of allContainers(podTemplate(w).spec)) {
        const b = binaryOfImage(c.image);
        if (b) used.add(b);
      }
    }
  }

  for (const binary of Object.keys(BINARIES)) {
    test(`image ${binary}: scratch + its rootfs, the binary as ENTRYPOINT, numeric non-root user`, () => {
      const stage = stages.get(binary);
      assert.ok(stage, `no stage "FROM scratch AS ${binary}"`);
      assert.equal(stage.base, "scratch");
      assert.ok(stage.lines.includes(`COPY --from=${binary}-rootfs / /`), `copy the ${binary}-rootfs stage`);
      assert.ok(stages.get(`${binary}-rootfs`)?.lines.some((l) => /make-rootfs/.test(l)), `${binary}-rootfs must run docker/make-rootfs`);
      assert.ok(stage.lines.some((l) => l.startsWith("COPY --from=build ") && l.endsWith(`/usr/local/bin/${binary}`)), `copy the built ${binary}`);
      assert.ok(stage.lines.includes("USER 10001:10001"), "USER 10001:10001");
      assert.match(stage.lines.find((l) => l.startsWith("ENTRYPOINT")) ?? "", new RegExp(`^ENTRYPOINT \\["/usr/local/bin/${binary}"`));
      assert.ok(build.lines.some((l) => l.includes("--target") && words(l).includes(binary)), `the build stage must build ${binary}`);
    });
  }

  test("every image the manifests use has a Dockerfile target", () => {
    for (const b of used) assert.ok(stages.has(b), `the manifests run sslpanel/${b}, but docker/Dockerfile has no target ${b}`);
  });

  test("the pods run as the images' user", () => {
    for (const overlay of OVERLAYS) {
      for (const w of workloads(load(overlay))) {
        const spec = podTemplate(w).spec;
        for (const c of allContainers(spec)) {
          if (!binaryOfImage(c.image)) continue;
          const user = c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser;
          assert.equal(user, 10001, `${overlay} ${w.kind}/${w.metadata.name}: runAsUser must be the image user 10001`);
        }
      }
    }
  });

  const needed = (file) => execFileSync("readelf", ["-d", file], { encoding: "utf8" })
    .split("\n").map((l) => /\(NEEDED\)\s+Shared library: \[(.+)\]/.exec(l)?.[1]).filter(Boolean);

  // Shared libraries: readelf NEEDED of the built binary -> ldconfig path -> dpkg package.
  const buildDir = process.env.BUILD_DIR || path.join(REPO_ROOT, "build");
  const ldconfig = (() => {
    try {
      const map = new Map();
      for (const line of execFileSync("/sbin/ldconfig", ["-p"], { encoding: "utf8" }).split("\n")) {
        const m = /^\s*(\S+) \((libc6,x86-64)[^)]*\) => (\S+)/.exec(line);
        if (m && !map.has(m[1])) map.set(m[1], m[3]);
      }
      return map;
    } catch {
      return undefined;
    }
  })();

  // One dpkg query for every spelling of every library path (dpkg is slow per call).
  const owners = new Map();
  const dpkgOwner = (file) => owners.get(file);
  const builtBinaries = new Map();
  for (const binary of Object.keys(BINARIES)) {
    const built = [path.join(buildDir, "workflow-service", binary), path.join(buildDir, "prevalidation-service", binary),
      path.join(buildDir, "ca-adapter", binary), path.join(buildDir, "ca-adapter", "sectigo-fake", binary),
      path.join(buildDir, "console", binary)].find((p) => existsSync(p) && statSync(p).isFile());
    if (built) builtBinaries.set(binary, built);
  }
  if (ldconfig && builtBinaries.size > 0) {
    const paths = new Set();
    for (const built of builtBinaries.values()) {
      for (const lib of needed(built)) {
        const p = ldconfig.get(lib);
        if (!p) continue;
        const real = realpathSync(p);
        for (const c of [p, real, p.replace(/^\/usr/, ""), real.replace(/^\/usr/, "")]) paths.add(c);
      }
    }
    let out = "";
    try {
      out = execFileSync("dpkg", ["-S", ...paths], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    } catch (e) {
      out = e.stdout ?? ""; // exit status 1 when some spelling is unknown; the others are printed
    }
    for (const line of out.split("\n")) {
      const m = /^([^:]+)(?::\S+)?: (\/.*)$/.exec(line);
      if (m) owners.set(m[2], m[1].split(",")[0].trim());
    }
  }

  for (const binary of Object.keys(BINARIES)) {
    const built = builtBinaries.get(binary);
    test(`image ${binary}: its runtime packages provide every library the binary links`, { skip: !built || !ldconfig ? `no built ${binary} under ${buildDir} (run scripts/test first)` : false }, () => {
      const rootfs = stages.get(`${binary}-rootfs`).lines.find((l) => /make-rootfs/.test(l));
      const packages = new Set(words(rootfs.split("make-rootfs").pop()));
      const problems = [];
      for (const lib of needed(built)) {
        const p = ldconfig.get(lib);
        if (!p) { problems.push(`${lib}: not found by ldconfig`); continue; }
        const real = realpathSync(p);
        const owner = [p, real, p.replace(/^\/usr/, ""), real.replace(/^\/usr/, "")].map((c) => dpkgOwner(c)).find(Boolean);
        if (!owner) problems.push(`${lib}: no Debian package owns ${real}`);
        else if (!packages.has(owner) && !BASE_IMAGE_PACKAGES.has(owner)) problems.push(`${lib} comes from ${owner}, which ${binary}-rootfs does not install`);
      }
      assert.deepEqual(problems, [], `docker/Dockerfile ${binary}-rootfs:\n  ${problems.join("\n  ")}`);
    });
  }
});
