/**
 * The child-process side of the memory section's server: a node:tls server (TLS 1.3 only,
 * x25519 and P-256, AES-128-GCM) that accepts any number of connections and keeps them open
 * and idle. It runs in its own process so its heap does not count against the clients. It
 * prints "PORT <n>" once listening and exits when its stdin closes (its parent is gone).
 * Arguments: the leaf certificate path, then the leaf key path.
 */
import { readFileSync } from "node:fs"
import { createServer } from "node:tls"

const [certPath, keyPath] = process.argv.slice(2)
if (certPath === undefined || keyPath === undefined) throw new Error("usage: tlsServerChild <cert.pem> <key.pem>")

const server = createServer({
  cert: readFileSync(certPath),
  key: readFileSync(keyPath),
  minVersion: "TLSv1.3",
  ciphers: "TLS_AES_128_GCM_SHA256",
  ecdhCurve: "X25519:P-256",
})
server.on("secureConnection", (socket) => {
  socket.on("error", () => {})
  socket.resume()
})
server.on("tlsClientError", () => {})
server.listen({ host: "127.0.0.1", port: 0, backlog: 2048 }, () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no TCP address")
  process.stdout.write(`PORT ${address.port}\n`)
})
process.stdin.on("end", () => process.exit(0))
process.stdin.resume()
