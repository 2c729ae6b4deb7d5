/**
 * A node:tls server with no TCP: a `tls.TLSSocket({ isServer: true })` over an in-memory
 * duplex whose other end the test drives by hand (bytes in, bytes out).
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Duplex } from "node:stream"
import * as tls from "node:tls"

/** A throwaway self-signed P-256 certificate for CN=localhost, made with the openssl CLI. */
export const selfSigned = (() => {
  let made: { cert: string; key: string } | undefined
  return () => {
    if (made) return made
    const dir = mkdtempSync(join(tmpdir(), "effect-tls-engine-"))
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    )
    made = { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") }
    return made
  }
})()

/** The server end: what it wrote (to be fed to the client) and a way to give it the client's bytes. */
export interface MemoryServer {
  readonly socket: tls.TLSSocket
  /** Bytes the server wrote since the last call. */
  readonly takeOutput: () => Uint8Array
  /** Gives the server bytes from the client. */
  readonly deliver: (bytes: Uint8Array) => void
  /** Resolves at the next server output (or after a short delay). */
  readonly settled: () => Promise<void>
}

/** Starts a node:tls server over memory. */
export const memoryServer = (options: tls.TlsOptions = {}): MemoryServer => {
  const chunks: Array<Buffer> = []
  let wake: (() => void) | undefined
  const wire = new Duplex({
    read() {},
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk))
      wake?.()
      done()
    },
    final(done) {
      done()
    },
  })
  const { cert, key } = selfSigned()
  const socket = new tls.TLSSocket(wire, { isServer: true, cert, key, minVersion: "TLSv1.3", ...options })
  socket.on("error", () => {})
  return {
    socket,
    takeOutput: () => {
      const out = new Uint8Array(Buffer.concat(chunks))
      chunks.length = 0
      return out
    },
    deliver: (bytes) => {
      wire.push(Buffer.from(bytes))
    },
    settled: () =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, 50)
        wake = () => {
          clearTimeout(timer)
          setImmediate(resolve)
        }
      }),
  }
}
