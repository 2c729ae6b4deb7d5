/**
 * Before the handshakes are timed, makes sure every client really verifies: each must refuse
 * an s_server whose certificate comes from another root (same names, same key types), so no
 * client can be fast by skipping verification.
 */
import type { BenchClient } from "./clients.js"
import { startOpensslServer } from "./opensslServer.js"
import { makePki } from "./pki.js"

/** Throws unless every client fails to connect to a server with an impostor certificate. */
export const checkClientsVerify = async (clients: ReadonlyArray<BenchClient>): Promise<void> => {
  const impostor = makePki()
  try {
    const server = await startOpensslServer(impostor, { suite: "TLS_AES_128_GCM_SHA256", group: "P-256" })
    try {
      for (const client of clients) {
        const accepted = await client.session(server.port, "P-256", async () => true).catch(() => false)
        if (accepted) throw new Error(`${client.name} accepted a certificate that does not chain to the bench root`)
      }
    } finally {
      await server.stop()
    }
  } finally {
    impostor.remove()
  }
}
