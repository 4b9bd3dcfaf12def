// Runs every rule of lib/workload-rules.mjs against every overlay.
import { describe } from "node:test";
import { rule } from "./lib/check.mjs";
import { WORKLOAD_RULES, ruleContext } from "./lib/workload-rules.mjs";
import { OVERLAYS, load } from "./lib/render.mjs";

for (const overlay of OVERLAYS) {
  describe(`overlay ${overlay}: every workload`, () => {
    for (const r of WORKLOAD_RULES) {
      rule(r.title, (fail) => r.check(ruleContext(load(overlay), overlay), fail));
    }
  });
}
