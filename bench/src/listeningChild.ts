/**
 * A server in a child process, ready once it prints the port it listens on: both bench
 * servers (s_server's "ACCEPT 127.0.0.1:PORT", the node:tls child's "PORT n") start this way.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process"

/** A running server: its port, and how to stop it. */
export interface ListeningServer {
  readonly port: number
  readonly stop: () => Promise<void>
}

/** How to wait for and stop one child. */
export interface ListeningChildOptions {
  /** Used in the error when the child exits before listening. */
  readonly name: string
  /** Matches the line that announces the port (capture group 1). */
  readonly portLine: RegExp
  /** Unregisters the child's kill-at-exit. */
  readonly release: () => void
  /** Asks the child to end (a signal, or closing its stdin). */
  readonly requestStop: () => void
}

/** Resolves once `child` prints its port line; rejects if it fails or exits before. */
export const listeningChild = (
  child: ChildProcessWithoutNullStreams,
  options: ListeningChildOptions,
): Promise<ListeningServer> =>
  new Promise((resolve, reject) => {
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const announced = options.portLine.exec(output)
      if (announced === null) return
      child.stdout.off("data", onData)
      child.stdout.resume()
      resolve({
        port: Number(announced[1]),
        stop: () =>
          new Promise((done) => {
            options.release()
            if (child.exitCode !== null || child.signalCode !== null) return done()
            child.once("exit", () => done())
            options.requestStop()
          }),
      })
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", (chunk: Buffer) => {
      if (output.length < 4096) output += chunk.toString()
    })
    child.once("error", (error) => {
      options.release()
      reject(error)
    })
    child.once("exit", (code) => {
      options.release()
      reject(new Error(`${options.name} exited (${code}): ${output}`))
    })
  })
