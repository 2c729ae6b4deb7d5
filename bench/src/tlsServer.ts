/**
 * The memory section's server: `tlsServerChild.ts` in a child Node process, which serves any
 * number of idle connections at once, unlike s_server.
 */
import { startNodeChild } from "./nodeChild.js"
import type { BenchPki } from "./pki.js"

/** A running child server. */
export interface ChildTlsServer {
  readonly port: number
  readonly stop: () => Promise<void>
}

/** Starts the child server; resolves once it listens. */
export const startChildTlsServer = (pki: BenchPki): Promise<ChildTlsServer> =>
  new Promise((resolve, reject) => {
    const { child, release } = startNodeChild("tlsServerChild.ts", [pki.leafCertPath, pki.leafKeyPath])
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const listening = /^PORT (\d+)$/m.exec(output)
      if (listening === null) return
      child.stdout.off("data", onData)
      child.stdout.resume()
      resolve({
        port: Number(listening[1]),
        stop: () =>
          new Promise((done) => {
            release()
            if (child.exitCode !== null || child.signalCode !== null) return done()
            child.once("exit", () => done())
            child.stdin.end()
          }),
      })
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", (chunk: Buffer) => {
      if (output.length < 4096) output += chunk.toString()
    })
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the child TLS server exited (${code}): ${output}`)))
  })
