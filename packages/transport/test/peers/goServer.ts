// The Go crypto/tls echo server (goServer/main.go) as a test peer: built with `go build` once
// per test process (stdlib only, no module downloads, build cache in the system temp dir),
// started on 127.0.0.1 port 0 (it prints the port it bound, so there is no race for it).
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Effect, Scope } from "effect"
import { type CertKeyPair, getTestPki } from "./certs.js"
import type { PeerError } from "./errors.js"
import { spawnPeer } from "./peerProcess.js"
import { type AsyncPeerServer, type PeerServer, scopedServer } from "./peerServer.js"
import { makeTempDir } from "./tempDir.js"
import { runTool, toolVersion } from "./tools.js"

/**
 * `go version` output, or `undefined` when Go is not installed: tests use it to skip with a
 * visible reason (`it.skipIf(goVersion === undefined)`). CI installs Go (`apt-get install -y golang-go`).
 */
export const goVersion: string | undefined = toolVersion("go", ["version"])

/** Options of `startGoServer`; each maps to a flag of goServer/main.go. */
export interface GoServerOptions {
  /** Certificate chain and key to serve (default: the test PKI's ECDSA P-256 leaf). Go cannot load id-RSASSA-PSS keys. */
  readonly cert?: CertKeyPair
  /** IANA suite names. Go applies them to TLS 1.2 only; its TLS 1.3 suites are fixed. */
  readonly ciphers?: ReadonlyArray<string>
  /** Groups in preference order (x25519, secp256r1, secp384r1, secp521r1); `["secp384r1"]` forces a HelloRetryRequest for an x25519 key share. */
  readonly curves?: ReadonlyArray<string>
  readonly alpn?: ReadonlyArray<string>
  /** Require a client certificate issued by this CA. */
  readonly clientCa?: CertKeyPair
  /** Append NSS key log lines to this file. */
  readonly keyLogPath?: string
  /** Lowest and highest TLS version (default both "1.3"). */
  readonly minVersion?: "1.2" | "1.3"
  readonly maxVersion?: "1.2" | "1.3"
  /** How long to wait for the build and the LISTENING line (default 120 s: a cold build compiles crypto/tls). */
  readonly startTimeoutMs?: number
}

const source = fileURLToPath(new URL("./goServer/main.go", import.meta.url))
const installHint = "apt-get install -y golang-go"

let binary: Promise<string> | undefined

/** Builds goServer/main.go once per process and resolves with the binary's path. */
export const buildGoServer = (timeoutMs = 120_000): Promise<string> => {
  binary ??= (async () => {
    const dir = await makeTempDir("effect-tls-go-")
    const out = join(dir, "effect-tls-go-server")
    await runTool("go", ["build", "-o", out, source], {
      cwd: dir,
      timeoutMs,
      installHint,
      env: {
        // Shared between runs so only the first build compiles the standard library.
        GOCACHE: join(tmpdir(), "effect-tls-go-cache"),
        GOPATH: join(dir, "gopath"),
        GOFLAGS: "",
        GOPROXY: "off",
        GOTOOLCHAIN: "local",
        CGO_ENABLED: "0",
      },
    })
    return out
  })().catch((error: unknown) => {
    binary = undefined
    throw error
  })
  return binary
}

const flag = (name: string, value: string | ReadonlyArray<string> | undefined): Array<string> =>
  value === undefined ? [] : [`-${name}`, typeof value === "string" ? value : value.join(",")]

/**
 * Builds (first time only) and starts the Go echo server; resolves once it listens. Its output
 * has a `HANDSHAKE version=... suite=... alpn=... sni=...` line per connection. Fails with a
 * `PeerError` (`NotInstalled`) when `go` is missing. Call `stop()` when done.
 */
export const startGoServerAsync = async (options: GoServerOptions = {}): Promise<AsyncPeerServer> => {
  const timeoutMs = options.startTimeoutMs ?? 120_000
  const [path, pki] = await Promise.all([buildGoServer(timeoutMs), getTestPki()])
  const cert = options.cert ?? pki.leaves.ecdsaP256
  const server = await spawnPeer({
    name: "go crypto/tls server",
    command: path,
    args: [
      ...flag("cert", cert.chainPath),
      ...flag("key", cert.keyPath),
      ...flag("ciphers", options.ciphers),
      ...flag("curves", options.curves),
      ...flag("alpn", options.alpn),
      ...flag("client-ca", options.clientCa?.certPath),
      ...flag("keylog", options.keyLogPath),
      ...flag("min-version", options.minVersion),
      ...flag("max-version", options.maxVersion),
    ],
  })
  try {
    const listening = await server.waitForOutput(/^LISTENING \S*:(\d+)$/m, { timeoutMs })
    return { ...server, host: "127.0.0.1", port: Number(listening[1]) }
  } catch (error) {
    await server.stop()
    throw error
  }
}

/** `startGoServerAsync` as a scoped Effect: the server stops when the scope closes. */
export const startGoServer = (options: GoServerOptions = {}): Effect.Effect<PeerServer, PeerError, Scope.Scope> =>
  scopedServer(() => startGoServerAsync(options))
