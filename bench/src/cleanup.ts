/**
 * Everything the benchmark must undo however it ends (normal exit, failure, Ctrl-C): child
 * processes to kill and temp dirs to remove. Each resource registers a synchronous undo step
 * and unregisters it once it has been released the ordinary way.
 */

const steps = new Set<() => void>()

/** Registers `step` to run at exit or on a signal; returns a function that unregisters it. */
export const onCleanup = (step: () => void): (() => void) => {
  steps.add(step)
  return () => {
    steps.delete(step)
  }
}

/** Runs every registered step once, newest first; a failing step does not stop the others. */
export const cleanupAll = (): void => {
  const pending = [...steps].reverse()
  steps.clear()
  for (const step of pending) {
    try {
      step()
    } catch {
      // Best effort: the process is ending anyway.
    }
  }
}

/** Runs the cleanup on exit and on SIGINT / SIGTERM (then exits with 130 / 143). */
export const installCleanupHandlers = (): void => {
  process.once("exit", cleanupAll)
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping servers and removing temp dirs`)
      cleanupAll()
      process.exit(code)
    })
  }
}
