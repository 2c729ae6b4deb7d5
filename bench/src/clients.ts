/**
 * The clients side by side behind one interface: effect-tls with each crypto layer,
 * node:tls, and subtls. Each opens a TCP connection to 127.0.0.1:port (Nagle off), runs a
 * TLS 1.3 handshake for "localhost" offering one key-share group, and verifies the server's
 * certificate against the bench root. Each client lives in a module of its own, loaded on
 * demand, so a process that needs only node:tls does not load Effect.
 */

/** An effect-tls crypto layer. */
export type LayerName = "noble" | "node" | "webcrypto"

/** The effect-tls crypto layers, in table order. */
export const layerNames: ReadonlyArray<LayerName> = ["noble", "node", "webcrypto"]

/** The clients, as results and tables name them. */
export type ClientName = "node:tls" | "effect-tls/noble" | "effect-tls/node" | "effect-tls/webcrypto" | "subtls"

/** Every client name, in table order (the reference first). */
export const clientNames: ReadonlyArray<ClientName> = [
  "node:tls",
  "effect-tls/noble",
  "effect-tls/node",
  "effect-tls/webcrypto",
  "subtls",
]

/** The crypto layer of an effect-tls client; undefined for node:tls and subtls. */
export const layerOf = (name: ClientName): LayerName | undefined =>
  name.startsWith("effect-tls/") ? (name.slice("effect-tls/".length) as LayerName) : undefined

/** The key-share groups the handshake sets use. */
export type BenchGroup = "x25519" | "P-256"

/** An established connection, reduced to what the benchmark does with it. */
export interface BenchStream {
  readonly write: (bytes: Uint8Array) => Promise<void>
  /** Hands every received chunk to `onChunk` until the server closes. */
  readonly readToEnd: (onChunk: (chunk: Uint8Array) => void) => Promise<void>
}

/** One client of the comparison. */
export interface BenchClient {
  readonly name: ClientName
  /** The groups it can offer. */
  readonly groups: ReadonlyArray<BenchGroup>
  /** Whether it can do TLS_CHACHA20_POLY1305_SHA256. */
  readonly chacha: boolean
  /** Connects, hands the stream to `use`, then closes. */
  readonly session: <A>(port: number, group: BenchGroup, use: (stream: BenchStream) => Promise<A>) => Promise<A>
  /** Connects and keeps the connection open; resolves to a function that closes it. */
  readonly open: (port: number, group: BenchGroup) => Promise<() => Promise<void>>
  /** Releases what the client holds (the effect-tls runtimes). */
  readonly dispose: () => Promise<void>
}

/** Connection facts every client shares. */
export const host = "127.0.0.1"
export const serverName = "localhost"

/** The client called `name`, verifying against `rootPem`, with only its own module loaded. */
export const makeClient = async (name: ClientName, rootPem: string): Promise<BenchClient> => {
  switch (name) {
    case "node:tls":
      return (await import("./nodeTlsClient.js")).nodeTlsClient(rootPem)
    case "subtls":
      return (await import("./subtlsClient.js")).subtlsClient(rootPem)
    default:
      return (await import("./effectTlsClient.js")).effectTlsClient(layerOf(name)!, rootPem)
  }
}

/** Every client, in table order. */
export interface BenchClients {
  readonly all: ReadonlyArray<BenchClient>
  /** Releases every client. */
  readonly dispose: () => Promise<void>
}

/** Makes every client for the bench root. */
export const makeClients = async (rootPem: string): Promise<BenchClients> => {
  const all: Array<BenchClient> = []
  for (const name of clientNames) all.push(await makeClient(name, rootPem))
  return {
    all,
    dispose: async () => {
      await Promise.all(all.map((client) => client.dispose()))
    },
  }
}
