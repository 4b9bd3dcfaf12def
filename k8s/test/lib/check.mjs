// A rule is a test that collects every violation, so one run names every
// object that breaks it, each as "<overlay> <Kind>/<name>: <what is wrong>".
import { test } from "node:test";

export function rule(title, collect) {
  test(title, () => {
    const problems = [];
    collect((message) => problems.push(message));
    if (problems.length > 0) {
      const error = new Error(`${problems.length} violation(s) of "${title}":\n  - ${problems.join("\n  - ")}`);
      error.stack = error.message; // the message names object and rule; a JS stack adds nothing
      throw error;
    }
  });
}
