/**
 * `pnpm bench:crypto`: operations per second of each primitive in each layer, printed as a
 * table and written into docs/performance.md between the crypto-bench markers.
 * A benchmark script, not a test: numbers depend on the machine.
 */
import { generateKeyPairSync, sign } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { Effect, type Layer } from "effect"
import { NobleCrypto, type SignatureAlgorithm, TlsCrypto, type TlsCryptoService } from "../src/index.js"
import { NodeCrypto } from "../src/node/index.js"

const minMillis = Number(process.env.BENCH_MS ?? 700)

/** Runs `op` repeatedly for at least `minMillis` and returns operations per second. */
const rate = (op: () => void): number => {
  for (let i = 0; i < 3; i++) op() // warm-up
  let count = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < minMillis) {
    op()
    count++
    elapsed = performance.now() - start
  }
  return (count * 1000) / elapsed
}

const record = new Uint8Array(16384).fill(7)
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

const measure = (crypto: TlsCryptoService): Array<[string, string, number]> => {
  const out: Array<[string, string, number]> = []
  for (const group of ["x25519", "secp256r1", "secp384r1"] as const) {
    const peer = Effect.runSync(crypto.generateKeyShare(group))
    out.push([
      `${group} key share + agreement`,
      "ops/s",
      rate(() => {
        const share = Effect.runSync(crypto.generateKeyShare(group))
        Effect.runSync(share.agree(peer.publicKey))
      }),
    ])
  }
  for (const sample of samples) {
    const request = {
      spki: sample.spki,
      algorithm: sample.algorithm,
      message: sample.message,
      signature: sample.signature,
    }
    Effect.runSync(crypto.verify(request))
    out.push([sample.label, "ops/s", rate(() => Effect.runSync(crypto.verify(request)))])
  }
  for (const algorithm of ["AES-128-GCM", "ChaCha20-Poly1305"] as const) {
    const key = Effect.runSync(crypto.aeadKey(algorithm, new Uint8Array(algorithm === "AES-128-GCM" ? 16 : 32).fill(1)))
    const sync = key.sync!
    const sealed = sync.seal(nonce, aad, record)
    out.push([
      `${algorithm} seal, 16 KiB records`,
      "MB/s",
      (rate(() => sync.seal(nonce, aad, record)) * record.length) / 1e6,
    ])
    out.push([
      `${algorithm} open, 16 KiB records`,
      "MB/s",
      (rate(() => sync.open(nonce, aad, sealed)) * record.length) / 1e6,
    ])
  }
  out.push(["SHA-256, 16 KiB", "MB/s", (rate(() => crypto.digest("SHA-256", record)) * record.length) / 1e6])
  return out
}

const layers: ReadonlyArray<[string, Layer.Layer<TlsCrypto>]> = [
  ["noble", NobleCrypto],
  ["node", NodeCrypto],
]
const rows = new Map<string, Row>()
for (const [name, layer] of layers) {
  const crypto = Effect.runSync(Effect.provide(TlsCrypto, layer))
  for (const [primitive, unit, value] of measure(crypto)) {
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

const docPath = new URL("../../../docs/performance.md", import.meta.url)
const begin = "<!-- crypto-bench:begin -->"
const end = "<!-- crypto-bench:end -->"
const doc = readFileSync(docPath, "utf8")
const stamp = `Measured ${new Date().toISOString().slice(0, 10)} with Node ${process.version}, ${minMillis} ms per cell.`
const start = doc.indexOf(begin)
const stop = doc.indexOf(end)
if (start >= 0 && stop > start) {
  writeFileSync(docPath, `${doc.slice(0, start + begin.length)}\n${stamp}\n\n${table}\n${doc.slice(stop)}`)
  console.log(`\nwritten into ${docPath.pathname}`)
}
