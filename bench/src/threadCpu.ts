/**
 * CPU time per thread group of this process (Linux): the main thread, which runs JavaScript,
 * and all others (V8's GC and compiler threads, libuv's pool). The other threads' time is
 * read from /proc/self/task/<tid>/schedstat (nanoseconds, exact for a thread that is not
 * running at that moment, as those threads mostly are not); the main thread's is the
 * process's `cpuUsage` less theirs, because a thread's own schedstat leaves out the slice it
 * is running. Exact enough to split a single handshake.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"

/** CPU milliseconds of the main thread and of the other threads. */
export interface ThreadCpu {
  readonly mainMs: number
  readonly otherMs: number
}

/** The process's CPU so far (user + system, every thread), in ms. */
export const processCpuMs = (): number => {
  const used = process.cpuUsage()
  return (used.user + used.system) / 1000
}

const main = String(process.pid)

/** Whether the kernel keeps schedstat per thread (asked once). */
let schedstat: boolean | undefined

/** The other threads' CPU so far (ms), or `undefined` where /proc has no schedstat. */
const otherThreadsMs = (): number | undefined => {
  schedstat ??= existsSync(`/proc/self/task/${main}/schedstat`)
  if (!schedstat) return undefined
  let ns = 0
  for (const task of readdirSync("/proc/self/task")) {
    if (task === main) continue
    let fields: string
    try {
      fields = readFileSync(`/proc/self/task/${task}/schedstat`, "utf8")
    } catch {
      continue // the thread ended meanwhile
    }
    // Time on the CPU (ns), time waiting to run (ns), time slices.
    ns += Number(fields.slice(0, fields.indexOf(" ")))
  }
  return ns / 1e6
}

/** Where a measurement starts: the other threads' CPU, read before the process's. */
export interface CpuMark {
  readonly processMs: number
  readonly otherMs: number | undefined
}

/** The CPU used by a stretch of work: the process's, and per thread group where /proc tells them apart. */
export interface CpuUsed {
  readonly cpuMs: number
  readonly threads?: ThreadCpu
}

/** Starts a measurement. */
export const cpuMark = (): CpuMark => {
  const otherMs = otherThreadsMs()
  return { otherMs, processMs: processCpuMs() }
}

/**
 * The CPU used since `mark`. The process's CPU is read first and the other threads' last, so
 * reading /proc (some 50 µs of the main thread) stays out of the main thread's share.
 */
export const cpuSince = (mark: CpuMark): CpuUsed => {
  const cpuMs = processCpuMs() - mark.processMs
  const otherMs = otherThreadsMs()
  if (otherMs === undefined || mark.otherMs === undefined) return { cpuMs }
  const other = otherMs - mark.otherMs
  return { cpuMs, threads: { mainMs: cpuMs - other, otherMs: other } }
}
