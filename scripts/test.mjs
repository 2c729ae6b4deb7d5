// Runs every vitest project of the workspace (the packages and the bench's helpers), then
// prints the plain closing line "N passed, N failed, N skipped" that CI reads, and exits
// with vitest's status.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const dir = mkdtempSync(join(tmpdir(), "effect-tls-vitest-"))
const results = join(dir, "results.json")
const run = spawnSync(
  "vitest",
  ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { stdio: "inherit", shell: process.platform === "win32" },
)
let line = "0 passed, 0 failed"
try {
  const report = JSON.parse(readFileSync(results, "utf8"))
  const skipped = report.numPendingTests + report.numTodoTests
  line = `${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`
} catch {
  // vitest did not write its report (it crashed before running): the status below says so.
}
rmSync(dir, { recursive: true, force: true })
console.log(line)
process.exit(run.status ?? 1)
