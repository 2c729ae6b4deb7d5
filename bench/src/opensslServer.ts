/**
 * `openssl s_server` for the benchmark: TLS 1.3 only, one group and one suite, on a port it
 * picks itself on 127.0.0.1 (it prints "ACCEPT 127.0.0.1:PORT"). It serves one connection at
 * a time, which suits sequential handshakes and one bulk download.
 */
import { spawn } from "node:child_process"
import { onCleanup } from "./cleanup.js"
import { type ListeningServer, listeningChild } from "./listeningChild.js"
import type { BenchPki } from "./pki.js"

/** A running s_server. */
export type OpensslServer = ListeningServer

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
export const startOpensslServer = (pki: BenchPki, options: OpensslServerOptions): Promise<OpensslServer> => {
  const child = spawn(
    "openssl",
    [
      ...["s_server", "-accept", "127.0.0.1:0", "-tls1_3", "-ciphersuites", options.suite, "-groups", options.group],
      ...["-cert", pki.leafCertPath, "-key", pki.leafKeyPath, "-num_tickets", "0", ...(options.args ?? [])],
    ],
    { cwd: options.cwd ?? pki.dir, stdio: ["pipe", "pipe", "pipe"] },
  )
  return listeningChild(child, {
    name: "openssl s_server",
    portLine: /^ACCEPT \S*:(\d+)$/m,
    release: onCleanup(() => child.kill("SIGKILL")),
    requestStop: () => child.kill("SIGTERM"),
  })
}
