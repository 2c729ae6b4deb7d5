/**
 * Test helper: runs the real `effect-tls` command (`node packages/cli/bin/effect-tls.mjs`,
 * cwd the repo root) as a child process and checks the shape of its output.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { expect } from "@effect/vitest"
import { Effect } from "effect"

/** The repository root, the working directory of every run. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))

/** What one run of the command produced. */
export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `effect-tls ...args`; a run that outlives `limitMs` is killed (and fails the test). */
export const runCli = (args: ReadonlyArray<string>, limitMs = 40_000): Effect.Effect<CliRun> =>
  Effect.async<CliRun>((resume) => {
    const child = spawn(process.execPath, ["packages/cli/bin/effect-tls.mjs", ...args], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text
    })
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs)
    child.on("close", (code) => {
      clearTimeout(timer)
      resume(Effect.succeed({ code, stdout, stderr }))
    })
    return Effect.sync(() => {
      clearTimeout(timer)
      child.kill("SIGKILL")
    })
  })

/** Fails the test when either stream carries a JavaScript stack trace. */
export const expectNoStackTrace = (run: CliRun): void => {
  for (const text of [run.stdout, run.stderr]) {
    expect(text).not.toMatch(/^\s+at .+[(:]\d+/m)
    expect(text).not.toMatch(/\b(?:TypeError|ReferenceError|RangeError|SyntaxError):/)
  }
}

/** Stdout parsed as a whole: it must be exactly one JSON object (and a trailing newline). */
export const jsonOf = (run: CliRun): Record<string, unknown> => {
  const value: unknown = JSON.parse(run.stdout)
  expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true)
  expect(run.stdout.trimEnd().split("\n")).toHaveLength(1)
  return value as Record<string, unknown>
}

/**
 * Checks a failed `--json` run: exit 1, stdout exactly
 * `{"ok":false,"error":{"_tag":"Fatal","reason":{"_tag":reason,...},"message":"..."}}`,
 * no stack trace anywhere. Returns the reason object for further checks.
 */
export const expectFatal = (run: CliRun, reason: string): Record<string, unknown> => {
  expectNoStackTrace(run)
  const json = jsonOf(run)
  expect(Object.keys(json).sort()).toEqual(["error", "ok"])
  expect(json.ok).toBe(false)
  const error = json.error as Record<string, unknown>
  expect(error._tag).toBe("Fatal")
  expect(typeof error.message).toBe("string")
  expect(error.message).not.toBe("")
  expect(error.message).not.toContain("\n")
  const reasonJson = error.reason as Record<string, unknown>
  expect(reasonJson._tag).toBe(reason)
  expect(run.code).toBe(1)
  return reasonJson
}

/** Checks a usage error: exit 2, nothing on stdout, `message` on stderr, no stack trace. */
export const expectUsageError = (run: CliRun, message: RegExp): void => {
  expectNoStackTrace(run)
  expect(run.stdout).toBe("")
  expect(run.stderr).toMatch(message)
  expect(run.code).toBe(2)
}
