/**
 * `openssl s_server` for the benchmark: TLS 1.3 only, one group and one suite, on a port it
 * picks itself on 127.0.0.1 (it prints "ACCEPT 127.0.0.1:PORT"). It serves one connection at
 * a time, which suits sequential handshakes and one bulk download.
 */
import { spawn } from "node:child_process"
import { onCleanup } from "./cleanup.js"
import type { BenchPki } from "./pki.js"

/** A running s_server. */
export interface OpensslServer {
  readonly port: number
  readonly stop: () => Promise<void>
}

/** What the server offers: one TLS 1.3 suite (IANA name) and one group (OpenSSL name). */
export interface OpensslServerOptions {
  readonly suite: string
  readonly group: string
  /** Extra flags, e.g. `-WWW`. */
  readonly args?: ReadonlyArray<string>
  /** The working directory (what `-WWW` serves); default the PKI dir. */
  readonly cwd?: string
}

/** Starts s_server as `options` say; resolves once it accepts connections. */
export const startOpensslServer = (pki: BenchPki, options: OpensslServerOptions): Promise<OpensslServer> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      "openssl",
      [
        ...["s_server", "-accept", "127.0.0.1:0", "-tls1_3", "-ciphersuites", options.suite, "-groups", options.group],
        ...["-cert", pki.leafCertPath, "-key", pki.leafKeyPath, "-num_tickets", "0", ...(options.args ?? [])],
      ],
      { cwd: options.cwd ?? pki.dir, stdio: ["pipe", "pipe", "pipe"] },
    )
    const unregister = onCleanup(() => child.kill("SIGKILL"))
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const accept = /^ACCEPT \S*:(\d+)$/m.exec(output)
      if (accept === null) return
      child.stdout.off("data", onData)
      child.stdout.resume()
      child.stderr.resume()
      resolve({
        port: Number(accept[1]),
        stop: () =>
          new Promise((done) => {
            unregister()
            if (child.exitCode !== null || child.signalCode !== null) return done()
            child.once("exit", () => done())
            child.kill("SIGTERM")
          }),
      })
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", (chunk: Buffer) => {
      if (output.length < 4096) output += chunk.toString()
    })
    child.once("error", (error) => {
      unregister()
      reject(error)
    })
    child.once("exit", (code) => {
      unregister()
      reject(new Error(`openssl s_server exited (${code}): ${output}`))
    })
  })
