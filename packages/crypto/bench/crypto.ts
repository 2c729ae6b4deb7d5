/**
 * `pnpm bench:crypto`: operations per second of each primitive in each layer, printed as a
 * table and written into docs/performance.md between the crypto-bench markers.
 * A benchmark script, not a test: numbers depend on the machine. The WebCrypto layer is
 * asynchronous: its operations are measured as a loop of awaited promises, as a caller
 * running them through `Effect.runPromise` sees them.
 */
import { generateKeyPairSync, sign } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { availableParallelism, loadavg } from "node:os"
import { Effect, type Layer } from "effect"
import { NobleCrypto, type SignatureAlgorithm, TlsCrypto, type TlsCryptoService } from "../src/index.js"
import { NodeCrypto } from "../src/node/index.js"
import { WebCrypto } from "../src/webcrypto/index.js"

const minMillis = Number(process.env.BENCH_MS ?? 700)

/**
 * Runs `op` repeatedly for at least `minMillis` and returns operations per second; an `op`
 * that returns a promise is awaited each time.
 */
const rate = async (op: () => unknown): Promise<number> => {
  const asynchronous = op() instanceof Promise
  for (let i = 0; i < 3; i++) await op() // warm-up
  let count = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < minMillis) {
    if (asynchronous) await op()
    else op()
    count++
    elapsed = performance.now() - start
  }
  return (count * 1000) / elapsed
}

const record = new Uint8Array(16384).fill(7)
// The size of TLS 1.3 key-schedule HMACs (HKDF-Expand-Label): a hash-length key, a short input.
const hmacKey = new Uint8Array(32).fill(3)
const hmacInput = new Uint8Array(100).fill(5)
const aad = new Uint8Array(5)
const nonce = new Uint8Array(12)

interface SignedSample {
  readonly label: string
  readonly spki: Uint8Array
  readonly algorithm: SignatureAlgorithm
  readonly message: Uint8Array
  readonly signature: Uint8Array
}

const message = new TextEncoder().encode("TLS 1.3, server CertificateVerify".padEnd(130, "."))
const der = (key: { export(o: object): Buffer | string }) =>
  new Uint8Array(key.export({ type: "spki", format: "der" }) as Buffer)
const samples: ReadonlyArray<SignedSample> = (() => {
  const p256 = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" })
  const ed = generateKeyPairSync("ed25519")
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 })
  return [
    {
      label: "ECDSA P-256 verify",
      spki: der(p256.publicKey),
      algorithm: { _tag: "Ecdsa", hash: "SHA-256" },
      message,
      signature: sign("sha256", message, p256.privateKey),
    },
    {
      label: "ECDSA P-384 verify",
      spki: der(p384.publicKey),
      algorithm: { _tag: "Ecdsa", hash: "SHA-384" },
      message,
      signature: sign("sha384", message, p384.privateKey),
    },
    {
      label: "Ed25519 verify",
      spki: der(ed.publicKey),
      algorithm: { _tag: "Ed25519" },
      message,
      signature: sign(null, message, ed.privateKey),
    },
    {
      label: "RSA-2048 PSS verify",
      spki: der(rsa.publicKey),
      algorithm: { _tag: "RsaPss", hash: "SHA-256", saltLength: 32 },
      message,
      signature: sign("sha256", message, { key: rsa.privateKey, padding: 6, saltLength: 32 }),
    },
  ].map((s) => ({ ...s, signature: new Uint8Array(s.signature) })) as ReadonlyArray<SignedSample>
})()

type Row = { readonly primitive: string; readonly unit: string; readonly values: Record<string, number> }

/** How a layer's effects are run: synchronously, or awaited for an asynchronous layer. */
type Runner = <A, E>(effect: Effect.Effect<A, E>) => A | Promise<A>

const measure = async (crypto: TlsCryptoService, run: Runner): Promise<Array<[string, string, number]>> => {
  const out: Array<[string, string, number]> = []
  for (const group of ["x25519", "secp256r1", "secp384r1"] as const) {
    const peer = await run(crypto.generateKeyShare(group))
    out.push([
      `${group} key share + agreement`,
      "ops/s",
      await rate(() => run(Effect.flatMap(crypto.generateKeyShare(group), (share) => share.agree(peer.publicKey)))),
    ])
  }
  for (const sample of samples) {
    const request = {
      spki: sample.spki,
      algorithm: sample.algorithm,
      message: sample.message,
      signature: sample.signature,
    }
    await run(crypto.verify(request))
    out.push([sample.label, "ops/s", await rate(() => run(crypto.verify(request)))])
  }
  for (const algorithm of ["AES-128-GCM", "ChaCha20-Poly1305"] as const) {
    const key = await run(crypto.aeadKey(algorithm, new Uint8Array(algorithm === "AES-128-GCM" ? 16 : 32).fill(1)))
    // The record layer's path: the synchronous form where the key has one.
    const sync = key.sync
    const seal = sync ? () => sync.seal(nonce, aad, record) : () => run(key.seal(nonce, aad, record))
    const sealed = await seal()
    const open = sync ? () => sync.open(nonce, aad, sealed) : () => run(key.open(nonce, aad, sealed))
    out.push([`${algorithm} seal, 16 KiB records`, "MB/s", ((await rate(seal)) * record.length) / 1e6])
    out.push([`${algorithm} open, 16 KiB records`, "MB/s", ((await rate(open)) * record.length) / 1e6])
  }
  out.push(["SHA-256, 16 KiB", "MB/s", ((await rate(() => crypto.digest("SHA-256", record))) * record.length) / 1e6])
  out.push(["HMAC-SHA256, 100 B", "ops/s", await rate(() => run(crypto.hmac("SHA-256", hmacKey, hmacInput)))])
  return out
}

const layers: ReadonlyArray<[string, Layer.Layer<TlsCrypto>, Runner]> = [
  ["noble", NobleCrypto, Effect.runSync],
  ["node", NodeCrypto, Effect.runSync],
  ["webcrypto", WebCrypto, Effect.runPromise],
]
const rows = new Map<string, Row>()
for (const [name, layer, run] of layers) {
  const crypto = Effect.runSync(Effect.provide(TlsCrypto, layer))
  for (const [primitive, unit, value] of await measure(crypto, run)) {
    const row = rows.get(primitive) ?? { primitive, unit, values: {} }
    row.values[name] = value
    rows.set(primitive, row)
  }
}

const format = (value: number | undefined) =>
  value === undefined ? "-" : value >= 100 ? value.toFixed(0) : value.toFixed(1)
const names = layers.map(([name]) => name)
const table = [
  `| primitive | unit | ${names.join(" | ")} |`,
  `| --- | --- | ${names.map(() => "---:").join(" | ")} |`,
  ...[...rows.values()].map(
    (row) => `| ${row.primitive} | ${row.unit} | ${names.map((n) => format(row.values[n])).join(" | ")} |`,
  ),
].join("\n")
console.log(table)

// Why the WebCrypto layer computes HMAC and HKDF with noble: through subtle, each one needs
// a key import and an asynchronous round trip.
const subtle = globalThis.crypto.subtle
const subtleHmac = await rate(async () => {
  const key = await subtle.importKey("raw", hmacKey, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
  return subtle.sign("HMAC", key, hmacInput)
})
console.log(`\nHMAC-SHA256, 100 B through subtle (importKey + sign): ${format(subtleHmac)} ops/s (not used)`)

const docPath = new URL("../../../docs/performance.md", import.meta.url)
const begin = "<!-- crypto-bench:begin -->"
const end = "<!-- crypto-bench:end -->"
const doc = readFileSync(docPath, "utf8")
const stamp = `Measured ${new Date().toISOString().slice(0, 10)} with Node ${process.version}, ${minMillis} ms per cell, load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores (a load near or above the core count means the numbers are low).`
const start = doc.indexOf(begin)
const stop = doc.indexOf(end)
if (start >= 0 && stop > start) {
  writeFileSync(docPath, `${doc.slice(0, start + begin.length)}\n${stamp}\n\n${table}\n${doc.slice(stop)}`)
  console.log(`\nwritten into ${docPath.pathname}`)
}
