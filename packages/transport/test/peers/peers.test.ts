// Tests of the interop peers themselves, with reference clients (node:tls, openssl s_client,
// gnutls-cli): the test PKI verifies as intended (and the broken leaves fail as intended),
// every server starts, completes a TLS 1.3 handshake with every key type, echoes, and stops
// without leaving a process behind, also when the test using it fails.
import { createPrivateKey, X509Certificate } from "node:crypto"
import { readFile } from "node:fs/promises"
import { createServer, type Server } from "node:net"
import { join } from "node:path"
import { Duplex } from "node:stream"
import { connect as tlsConnect } from "node:tls"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { type CertKeyPair, getTestPki, type LeafKind, leafKinds, type TestPki } from "./certs.js"
import { PeerError, peerError } from "./errors.js"
import { startGnutlsServer, startGnutlsServerAsync } from "./gnutlsServer.js"
import { goVersion, startGoServerAsync } from "./goServer.js"
import { makeMemoryTlsServer, makeMemoryTlsServerAsync } from "./memoryTlsServer.js"
import { patternBytes, startNodeTlsServer, startNodeTlsServerAsync } from "./nodeTlsServer.js"
import { sendKeyUpdate, sendKeyUpdateAsync, startOpensslServer, startOpensslServerAsync } from "./opensslServer.js"
import { spawnPeer } from "./peerProcess.js"
import { type AsyncPeerServer, withFreePort } from "./peerServer.js"
import { makeTempDir } from "./tempDir.js"
import { connectNodeTls, startGnutlsClient, startOpensslClient } from "./testClients.js"
import { runTool } from "./tools.js"

let pki: TestPki

beforeAll(async () => {
  pki = await getTestPki()
}, 60_000)

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Stops `server` and checks that its process is gone. */
const stopAndCheck = async (server: AsyncPeerServer): Promise<void> => {
  await server.stop()
  expect(server.exitStatus()).toBeDefined()
  expect(isAlive(server.pid)).toBe(false)
}

/** Connects with node:tls, checks TLS 1.3, sends `text` and waits for it to come back. */
const echoOnce = async (port: number, text: string): Promise<void> => {
  const client = await connectNodeTls(pki, port)
  try {
    expect(client.socket.getProtocol()).toBe("TLSv1.3")
    client.socket.write(text)
    await client.waitFor(text)
  } finally {
    await client.close()
  }
}

const failure = async (promise: Promise<unknown>): Promise<PeerError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(PeerError)
  return error as PeerError
}

const opensslVerify = (args: ReadonlyArray<string>, cert: CertKeyPair): Promise<string> =>
  runTool("openssl", [
    "verify",
    "-CAfile",
    pki.root.certPath,
    "-untrusted",
    pki.intermediate.certPath,
    ...args,
    cert.certPath,
  ])

const keyTypes: Readonly<Record<LeafKind, string>> = {
  ecdsaP256: "ec:prime256v1",
  ecdsaP384: "ec:secp384r1",
  rsa2048: "rsa:2048",
  rsaPss2048: "rsa-pss:2048",
  ed25519: "ed25519:",
}

describe("test PKI", { timeout: 30_000 }, () => {
  it("is made once per process", async () => {
    expect(await getTestPki()).toBe(pki)
  })

  it.each(leafKinds)("the %s leaf verifies for localhost, 127.0.0.1 and ::1 through the intermediate", async (kind) => {
    const leaf = pki.leaves[kind]
    for (const check of [
      ["-verify_hostname", "localhost"],
      ["-verify_ip", "127.0.0.1"],
      ["-verify_ip", "::1"],
    ]) {
      expect(await opensslVerify(["-purpose", "sslserver", ...check], leaf)).toContain(": OK")
    }
    const cert = new X509Certificate(leaf.certDer)
    const { asymmetricKeyType, asymmetricKeyDetails } = cert.publicKey
    expect(
      `${asymmetricKeyType}:${asymmetricKeyDetails?.namedCurve ?? asymmetricKeyDetails?.modulusLength ?? ""}`,
    ).toBe(keyTypes[kind])
    expect(cert.subject).toBe("CN=localhost")
    expect(cert.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1")
    expect(cert.checkIssued(new X509Certificate(pki.intermediate.certPem))).toBe(true)
    expect(
      cert.checkPrivateKey(createPrivateKey({ key: Buffer.from(leaf.keyDer), format: "der", type: "pkcs8" })),
    ).toBe(true)
    expect(leaf.chainDer).toEqual([leaf.certDer, pki.intermediate.certDer])
    expect(leaf.intermediatesPath).toBeDefined()
    expect(await readFile(leaf.intermediatesPath ?? "", "utf8")).toBe(pki.intermediate.certPem)
    expect(leaf.keyPem).toContain("-----BEGIN PRIVATE KEY-----")
  })

  it("has a leaf issued by the root alone, and a client leaf for the client CA", async () => {
    expect(pki.rootIssued.chainDer).toEqual([pki.rootIssued.certDer])
    expect(pki.rootIssued.intermediatesPath).toBeUndefined()
    expect(await runTool("openssl", ["verify", "-CAfile", pki.root.certPath, pki.rootIssued.certPath])).toContain(
      ": OK",
    )
    const client = ["verify", "-CAfile", pki.clientCa.certPath, "-purpose"]
    expect(await runTool("openssl", [...client, "sslclient", pki.client.certPath])).toContain(": OK")
    const asServer = await failure(runTool("openssl", [...client, "sslserver", pki.client.certPath]))
    expect(asServer.output).toMatch(/unsuitable certificate purpose/)
  })

  it("has broken leaves that fail for the intended reason only", async () => {
    const now = Date.now()
    expect(Date.parse(new X509Certificate(pki.expired.certPem).validTo)).toBeLessThan(now)
    expect(Date.parse(new X509Certificate(pki.notYetValid.certPem).validFrom)).toBeGreaterThan(now)
    const cases: ReadonlyArray<readonly [CertKeyPair, RegExp]> = [
      [pki.expired, /certificate has expired/],
      [pki.notYetValid, /certificate is not yet valid/],
      [pki.wrongHost, /hostname mismatch/],
      [pki.selfSigned, /self.signed certificate/],
    ]
    for (const [cert, reason] of cases) {
      const error = await failure(opensslVerify(["-verify_hostname", "localhost"], cert))
      expect(error.reason).toBe("CommandFailed")
      expect(error.output).toMatch(reason)
    }
    expect(await opensslVerify([], pki.wrongHost)).toContain(": OK")
  })
})

describe("peer processes", { timeout: 30_000 }, () => {
  it("report a missing command as NotInstalled, with the install hint", async () => {
    const error = await failure(
      spawnPeer({ name: "nothing", command: "effect-tls-no-such-tool", args: [], installHint: "apt-get install -y x" }),
    )
    expect(error.reason).toBe("NotInstalled")
    expect(error.message).toContain("apt-get install -y x")
  })

  it("fail a wait when the process exits first, with its output", async () => {
    const peer = await spawnPeer({ name: "sh", command: "sh", args: ["-c", "echo about to exit; exit 3"] })
    const error = await failure(peer.waitForOutput("never printed"))
    expect(error.reason).toBe("Exited")
    expect(error.output).toContain("about to exit")
    expect((await peer.exited).code).toBe(3)
  })

  it("time out a wait, and are killed by stop", async () => {
    const peer = await spawnPeer({ name: "sleep", command: "sleep", args: ["60"] })
    const error = await failure(peer.waitForOutput(/x/, { timeoutMs: 50 }))
    expect(error.reason).toBe("Timeout")
    expect((await peer.stop()).signal).toBe("SIGTERM")
    expect(isAlive(peer.pid)).toBe(false)
    expect(await peer.stop()).toEqual({ code: null, signal: "SIGTERM" })
  })

  it("withFreePort retries on PortInUse and gives up after the attempts", async () => {
    const ports: Array<number> = []
    const port = await withFreePort(async (p) => {
      ports.push(p)
      if (ports.length < 3) throw peerError("PortInUse", "taken")
      return p
    })
    expect(ports).toHaveLength(3)
    expect(port).toBe(ports[2])
    const error = await failure(withFreePort(() => Promise.reject(peerError("PortInUse", "taken")), 2))
    expect(error.reason).toBe("PortInUse")
  })
})

describe("openssl s_server", { timeout: 30_000 }, () => {
  it.each(leafKinds)("serves TLS 1.3 with the %s leaf, forwards both ways, sends a KeyUpdate, stops", async (kind) => {
    const server = await startOpensslServerAsync({ cert: pki.leaves[kind], args: ["-tls1_3", "-msg"] })
    try {
      const client = await connectNodeTls(pki, server.port)
      expect(client.socket.getProtocol()).toBe("TLSv1.3")
      client.socket.write("hello from client\n")
      await server.waitForOutput("hello from client")
      await server.send("hello from server")
      await client.waitFor("hello from server\n")
      await sendKeyUpdateAsync(server, kind === "ed25519")
      await server.send("after the key update")
      await client.waitFor("after the key update\n")
      await client.close()
    } finally {
      await stopAndCheck(server)
    }
  })

  it.live("is stopped when its scope closes, also when the test fails", () =>
    Effect.gen(function* () {
      let pid = 0
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.gen(function* () {
            const server = yield* startOpensslServer({ args: ["-tls1_3"] })
            pid = server.pid
            expect(isAlive(pid)).toBe(true)
            return yield* Effect.fail("the test failed")
          }),
        ),
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(isAlive(pid)).toBe(false)
    }),
  )

  it.scopedLive("requires a client certificate with -Verify 1 (Effect API)", () =>
    Effect.gen(function* () {
      const server = yield* startOpensslServer({
        args: ["-tls1_3", "-Verify", "1", "-CAfile", pki.clientCa.certPath],
      })
      const client = yield* Effect.promise(() => connectNodeTls(pki, server.port, { cert: pki.client }))
      client.socket.write("with a certificate\n")
      yield* server.waitForOutput("with a certificate")
      const keyUpdate = yield* Effect.exit(sendKeyUpdate(server))
      expect(Exit.isFailure(keyUpdate)).toBe(true) // started without -msg
      yield* Effect.promise(client.close)
      const mark = server.output().length
      const anonymous = yield* Effect.promise(() => connectNodeTls(pki, server.port))
      anonymous.socket.write("without\n")
      yield* server.waitForOutput(/did not return a certificate|certificate required/i, { since: mark })
      expect(server.output().slice(mark)).not.toContain("without")
      anonymous.socket.destroy()
    }),
  )

  it("answers openssl s_client and gnutls-cli", async () => {
    const server = await startOpensslServerAsync({ args: ["-tls1_3"] })
    try {
      const sClient = await startOpensslClient(pki, server.port)
      await sClient.waitForOutput(/Protocol version: TLSv1\.3[\s\S]*Verification: OK/)
      await sClient.send("from s_client")
      await server.waitForOutput("from s_client")
      sClient.endInput()
      expect((await sClient.exited).code).toBe(0)

      const gnutls = await startGnutlsClient(pki, server.port)
      await gnutls.waitForOutput("- Handshake was completed")
      expect(gnutls.output()).toMatch(/Description: \(TLS1\.3-X\.509\)/)
      await gnutls.send("from gnutls-cli")
      await server.waitForOutput("from gnutls-cli")
      await gnutls.stop()
    } finally {
      await stopAndCheck(server)
    }
  })
})

describe("gnutls-serv", { timeout: 30_000 }, () => {
  it.each(leafKinds)("serves TLS 1.3 with the %s leaf, echoes, stops", async (kind) => {
    const server = await startGnutlsServerAsync({ cert: pki.leaves[kind], priority: "NORMAL:-VERS-ALL:+VERS-TLS1.3" })
    try {
      await echoOnce(server.port, `echo over gnutls with ${kind}\n`)
      await server.waitForOutput("- Version: TLS1.3")
    } finally {
      await stopAndCheck(server)
    }
  })

  it.scopedLive("answers openssl s_client (Effect API)", () =>
    Effect.gen(function* () {
      const server = yield* startGnutlsServer()
      const client = yield* Effect.promise(() => startOpensslClient(pki, server.port))
      yield* Effect.promise(() => client.waitForOutput("Verification: OK"))
      yield* Effect.promise(() => client.send("echo via s_client"))
      yield* Effect.promise(() => client.waitForOutput(/^echo via s_client$/m))
      yield* Effect.promise(client.stop)
    }),
  )

  it("reports a taken port as PortInUse", async () => {
    const blocker: Server = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve))
    const address = blocker.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    try {
      const error = await failure(startGnutlsServerAsync({ port }))
      expect(error.reason).toBe("PortInUse")
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })
})

describe.skipIf(goVersion === undefined)("Go crypto/tls server", { timeout: 180_000 }, () => {
  const goKinds = leafKinds.filter((kind) => kind !== "rsaPss2048")

  it.each(goKinds)("serves TLS 1.3 with the %s leaf, echoes, stops", async (kind) => {
    const server = await startGoServerAsync({ cert: pki.leaves[kind] })
    try {
      await echoOnce(server.port, `echo over go with ${kind}\n`)
      await server.waitForOutput(/HANDSHAKE version=TLSv1\.3 suite=TLS_\S+ alpn= sni=localhost/)
      await server.waitForOutput("CLOSED bytes=")
    } finally {
      await stopAndCheck(server)
    }
  })

  it("cannot load an id-RSASSA-PSS key, and says so", async () => {
    const error = await failure(startGoServerAsync({ cert: pki.leaves.rsaPss2048 }))
    expect(error.reason).toBe("Exited")
    expect(error.output).toContain("loading certificate")
  })

  it("applies curves, ALPN, client CA and key log; answers s_client", async () => {
    const keyLogPath = join(await makeTempDir("effect-tls-peers-test-"), "go.keys")
    const server = await startGoServerAsync({ curves: ["secp384r1"], alpn: ["h2"], clientCa: pki.clientCa, keyLogPath })
    try {
      const tls = { ecdhCurve: "X25519:P-384", ALPNProtocols: ["h2"] }
      const client = await connectNodeTls(pki, server.port, { cert: pki.client, tls })
      expect(client.socket.alpnProtocol).toBe("h2")
      await client.close()
      await server.waitForOutput(/HANDSHAKE version=TLSv1\.3 .*alpn=h2 .*client-certs=1/)
      const keys = await readFile(keyLogPath, "utf8")
      expect(keys).toMatch(/^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]{64}$/m)
      expect(keys).toMatch(/^SERVER_TRAFFIC_SECRET_0 /m)

      const sClient = await startOpensslClient(pki, server.port, ["-groups", "X25519:P-384", "-alpn", "h2"])
      await sClient.waitForOutput("Verification: OK")
      await server.waitForOutput(/ERROR handshake: .*certificate/)
      await sClient.stop()
    } finally {
      await stopAndCheck(server)
    }
  })
})

describe("node:tls server", { timeout: 30_000 }, () => {
  it.scopedLive.each(leafKinds)("serves TLS 1.3 with the %s leaf and echoes (Effect API)", (kind) =>
    Effect.gen(function* () {
      const server = yield* startNodeTlsServer({ cert: pki.leaves[kind] })
      yield* Effect.promise(() => echoOnce(server.port, `echo over node with ${kind}\n`))
      const connection = yield* server.waitForConnection()
      expect(connection.protocol).toBe("TLSv1.3")
      expect(connection.serverName).toBe("localhost")
      expect(new TextDecoder().decode(connection.received())).toBe(`echo over node with ${kind}\n`)
    }),
  )

  it("sends N bytes then closes", async () => {
    const server = await startNodeTlsServerAsync({ mode: { sendBytes: 1 << 20 } })
    try {
      const client = await connectNodeTls(pki, server.port)
      await client.ended
      // Buffer.equals: vitest's deep equality takes seconds on a MiB.
      expect(Buffer.from(client.receivedBytes()).equals(patternBytes(1 << 20))).toBe(true)
      await client.close()
    } finally {
      await server.stop()
    }
  })

  it("requires a client certificate with requestCert, and exposes exporters and key log", async () => {
    const exporters = [
      { label: "EXPORTER-Channel-Binding", length: 32 },
      { label: "EXPORTER-effect-tls-test", length: 48, context: new Uint8Array([1, 2, 3]) },
    ]
    const server = await startNodeTlsServerAsync({ requestCert: true, exporters })
    try {
      const client = await connectNodeTls(pki, server.port, { cert: pki.client })
      client.socket.write("authenticated\n")
      await client.waitFor("authenticated\n")
      const connection = await server.waitForConnection(1)
      expect(connection.authorized).toBe(true)
      expect(connection.peerCertificateDer).toEqual(pki.client.certDer)
      expect(connection.exported.map((e) => e.value)).toEqual(
        exporters.map(
          (e) =>
            new Uint8Array(
              client.socket.exportKeyingMaterial(e.length, e.label, Buffer.from(e.context ?? new Uint8Array())),
            ),
        ),
      )
      expect(server.keyLog.some((line) => line.startsWith("SERVER_TRAFFIC_SECRET_0 "))).toBe(true)
      await client.close()

      // In TLS 1.3 the client may finish its handshake before the server rejects it.
      const anonymous = await connectNodeTls(pki, server.port).then(
        (connected) => connected,
        () => undefined,
      )
      if (anonymous !== undefined) {
        anonymous.socket.write("no certificate\n")
        await expect(anonymous.waitFor("no certificate\n", 2_000)).rejects.toBeInstanceOf(PeerError)
      }
      expect(server.connections).toHaveLength(1)
      expect(server.handshakeErrors.map((e) => e.message).join()).toMatch(/did not return a certificate/)
    } finally {
      await server.stop()
    }
  })

  it("answers openssl s_client, and stop ends open connections", async () => {
    const server = await startNodeTlsServerAsync()
    const sClient = await startOpensslClient(pki, server.port)
    try {
      await sClient.waitForOutput(/Protocol version: TLSv1\.3[\s\S]*Verification: OK/)
      await sClient.send("echo via s_client")
      await sClient.waitForOutput(/^echo via s_client$/m)
      await server.stop()
      expect((await sClient.exited).code).not.toBeNull()
    } finally {
      await sClient.stop()
    }
  })
})

/** A node:tls client over an in-memory duplex: what it writes is pushed into `deliver`; `feed` gives it bytes. */
const memoryClient = (deliver: (bytes: Uint8Array) => void) => {
  const wire = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      deliver(new Uint8Array(chunk))
      callback()
    },
  })
  const socket = tlsConnect({ socket: wire, servername: "localhost", ca: [pki.root.certPem], minVersion: "TLSv1.3" })
  let secure = false
  socket.once("secureConnect", () => {
    secure = true
  })
  const received: Array<Buffer> = []
  socket.on("data", (chunk: Buffer) => received.push(chunk))
  return {
    socket,
    feed: (bytes: Uint8Array) => wire.push(Buffer.from(bytes)),
    isSecure: () => secure,
    received: () => Buffer.concat(received).toString("utf8"),
  }
}

describe("in-memory node:tls server", { timeout: 30_000 }, () => {
  it("completes a handshake, echoes and exports with bytes moved by hand", async () => {
    const exporters = [{ label: "EXPORTER-Channel-Binding", length: 32 }]
    const server = await makeMemoryTlsServerAsync({ exporters })
    try {
      expect(server.take()).toEqual(new Uint8Array(0))
      const client = memoryClient(server.push)
      for (let flights = 0; !client.isSecure() && flights < 10; flights++) {
        client.feed(await server.read())
        await new Promise((resolve) => setImmediate(resolve))
      }
      await server.secure
      expect(server.socket.getProtocol()).toBe("TLSv1.3")
      client.socket.write("memory echo\n")
      while (!client.received().includes("memory echo\n")) client.feed(await server.read())
      expect(new TextDecoder().decode(server.received())).toBe("memory echo\n")
      expect(server.exported()[0]?.value).toEqual(
        new Uint8Array(client.socket.exportKeyingMaterial(32, "EXPORTER-Channel-Binding", Buffer.alloc(0))),
      )
      expect(server.keyLog.some((line) => line.startsWith("CLIENT_HANDSHAKE_TRAFFIC_SECRET "))).toBe(true)
      client.socket.destroy()
    } finally {
      server.destroy()
    }
  })

  it.scopedLive("rejects bytes that are not TLS, answering with an alert (Effect API)", () =>
    Effect.gen(function* () {
      const server = yield* makeMemoryTlsServer()
      yield* server.push(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"))
      const failed = yield* Effect.exit(server.secure)
      expect(Exit.isFailure(failed)).toBe(true)
      expect(server.errors.length).toBeGreaterThan(0)
      const answer = yield* server.read(1_000)
      // A TLS alert record (content type 21), or nothing at all when node closes silently.
      expect(answer.length === 0 || answer[0] === 21).toBe(true)
    }),
  )
})
