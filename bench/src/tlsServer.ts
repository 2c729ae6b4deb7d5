/**
 * The memory section's server: `tlsServerChild.ts` in a child Node process, which serves any
 * number of idle connections at once, unlike s_server.
 */
import { type ListeningServer, listeningChild } from "./listeningChild.js"
import { startNodeChild } from "./nodeChild.js"
import type { BenchPki } from "./pki.js"

/** A running child server. */
export type ChildTlsServer = ListeningServer

/** Starts the child server; resolves once it listens. */
export const startChildTlsServer = (pki: BenchPki): Promise<ChildTlsServer> => {
  const { child, release } = startNodeChild("tlsServerChild", [pki.leafCertPath, pki.leafKeyPath])
  return listeningChild(child, {
    name: "the child TLS server",
    portLine: /^PORT (\d+)$/m,
    release,
    requestStop: () => child.stdin.end(),
  })
}
