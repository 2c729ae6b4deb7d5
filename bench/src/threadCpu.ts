/**
 * CPU time per thread group of this process, from /proc/self/task (Linux): the main thread,
 * which runs JavaScript, and all others (V8's GC and compiler threads, libuv's pool). Ticks
 * are taken as 1/100 s (USER_HZ on Linux), so this is for totals over many operations.
 */
import { readdirSync, readFileSync } from "node:fs"

/** CPU milliseconds of the main thread and of the other threads. */
export interface ThreadCpu {
  readonly mainMs: number
  readonly otherMs: number
}

const msPerTick = 10

/** The CPU used so far, or `undefined` where /proc is not there. */
export const threadCpu = (): ThreadCpu | undefined => {
  let tasks: Array<string>
  try {
    tasks = readdirSync("/proc/self/task")
  } catch {
    return undefined
  }
  let mainMs = 0
  let otherMs = 0
  for (const task of tasks) {
    let stat: string
    try {
      stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8")
    } catch {
      continue // the thread ended meanwhile
    }
    // Fields after the command name: state is the first, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    const ms = (Number(fields[11]) + Number(fields[12])) * msPerTick
    if (task === String(process.pid)) mainMs += ms
    else otherMs += ms
  }
  return { mainMs, otherMs }
}

/** What was used between `from` and `to`. */
export const threadCpuSince = (from: ThreadCpu | undefined, to: ThreadCpu | undefined): ThreadCpu | undefined =>
  from === undefined || to === undefined
    ? undefined
    : { mainMs: to.mainMs - from.mainMs, otherMs: to.otherMs - from.otherMs }
