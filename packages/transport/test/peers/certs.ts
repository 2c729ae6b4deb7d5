// Test PKI for the interop tests, made with the openssl CLI in a fresh temp dir: a root CA, an
// intermediate CA, server leaves for every key type we support (issued by the intermediate),
// a client CA with a client leaf for mutual TLS, and broken leaves (expired, not yet valid,
// wrong host, self-signed) for the certificate tests. Made once per test process.
import { createPrivateKey } from "node:crypto"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { type PeerError, toPeerError } from "./errors.js"
import { makeTempDir } from "./tempDir.js"
import { runTool } from "./tools.js"

/** A certificate with its private key and chain, as files and in memory. */
export interface CertKeyPair {
  readonly name: string
  /** The certificate alone. */
  readonly certPath: string
  readonly certPem: string
  readonly certDer: Uint8Array
  /** The private key, PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted. */
  readonly keyPath: string
  readonly keyPem: string
  readonly keyDer: Uint8Array
  /** This certificate followed by its issuing intermediates, without the root: what a server sends. */
  readonly chainPath: string
  readonly chainPem: string
  readonly chainDer: ReadonlyArray<Uint8Array>
  /** The intermediates alone (for `s_server -cert_chain`); `undefined` when the chain is just this certificate. */
  readonly intermediatesPath: string | undefined
}

/** The key types of the server leaves. */
export type LeafKind = "ecdsaP256" | "ecdsaP384" | "rsa2048" | "rsaPss2048" | "ed25519"

/** Every `LeafKind`, for tests that run once per key type. */
export const leafKinds: ReadonlyArray<LeafKind> = ["ecdsaP256", "ecdsaP384", "rsa2048", "rsaPss2048", "ed25519"]

/** Everything `getTestPki` makes. Server leaves name `CN=localhost`, DNS:localhost, IP:127.0.0.1 and IP:::1. */
export interface TestPki {
  /** The temp dir holding every file (removed when the process exits). */
  readonly dir: string
  /** Self-signed root, ECDSA P-256: the trust anchor for every server certificate. */
  readonly root: CertKeyPair
  /** Issued by `root` (pathlen 0), ECDSA P-256: issues the server leaves. */
  readonly intermediate: CertKeyPair
  /**
   * Server leaves (serverAuth), issued by `intermediate`. `rsa2048` has an rsaEncryption key
   * (TLS 1.3 signs with rsa_pss_rsae_*); `rsaPss2048` has an id-RSASSA-PSS key (rsa_pss_pss_*).
   */
  readonly leaves: Readonly<Record<LeafKind, CertKeyPair>>
  /** ECDSA P-256 server leaf issued directly by `root` (a chain without an intermediate). */
  readonly rootIssued: CertKeyPair
  /** Self-signed root for client certificates (give it to a server's `-CAfile`/`ca`). */
  readonly clientCa: CertKeyPair
  /** ECDSA P-256 client leaf (clientAuth, `CN=effect-tls test client`), issued by `clientCa`. */
  readonly client: CertKeyPair
  /** Server leaf under `intermediate` whose validity ended 30 days ago. */
  readonly expired: CertKeyPair
  /** Server leaf under `intermediate` valid only from 30 days from now. */
  readonly notYetValid: CertKeyPair
  /** Server leaf under `intermediate` for DNS:wrong-host.invalid and IP:192.0.2.1 only. */
  readonly wrongHost: CertKeyPair
  /** Self-signed `CN=localhost` server certificate (not a CA), chained to nothing we trust. */
  readonly selfSigned: CertKeyPair
}

const keyArgs: Readonly<Record<LeafKind, ReadonlyArray<string>>> = {
  ecdsaP256: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
  ecdsaP384: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
  rsa2048: ["-newkey", "rsa:2048"],
  rsaPss2048: ["-newkey", "rsa-pss", "-pkeyopt", "rsa_keygen_bits:2048"],
  ed25519: ["-newkey", "ed25519"],
}

type Profile = "root_ca" | "intermediate_ca" | "server_leaf" | "wrong_host_leaf" | "self_signed_leaf" | "client_leaf"

const serverLeafExtensions = (names: string): string => `basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${names}
subjectKeyIdentifier = hash`

const caConfig = (dir: string): string => `[ca]
default_ca = test_ca
[test_ca]
database = $ENV::EFFECT_TLS_CA_DB
serial = $ENV::EFFECT_TLS_CA_DB.serial
new_certs_dir = ${join(dir, "issued")}
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[policy_any]
commonName = supplied
[root_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[intermediate_ca]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server_leaf]
${serverLeafExtensions("DNS:localhost, IP:127.0.0.1, IP:::1")}
authorityKeyIdentifier = keyid:always
[wrong_host_leaf]
${serverLeafExtensions("DNS:wrong-host.invalid, IP:192.0.2.1")}
authorityKeyIdentifier = keyid:always
[self_signed_leaf]
${serverLeafExtensions("DNS:localhost, IP:127.0.0.1, IP:::1")}
[client_leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`

const reqConfig = `[req]
distinguished_name = req_dn
string_mask = utf8only
[req_dn]
`

const day = 24 * 60 * 60 * 1000

/** `YYYYMMDDHHMMSSZ`, the form `openssl ca -startdate/-enddate` takes. */
const asn1Time = (at: number): string => `${new Date(at).toISOString().slice(0, 19).replace(/[-:T]/g, "")}Z`

interface CertSpec {
  readonly name: string
  readonly subject: string
  readonly key: ReadonlyArray<string>
  readonly profile: Profile
  /** Validity as offsets from now, in milliseconds. */
  readonly from: number
  readonly to: number
}

interface Issued extends CertKeyPair {
  readonly selfSigned: boolean
}

/** Splits PEM text into the DER bytes of each block. */
const pemBlocks = (pem: string): Array<Uint8Array> =>
  Array.from(pem.matchAll(/-----BEGIN [^-]+-----([^-]+)-----END [^-]+-----/g), (m) =>
    Uint8Array.from(Buffer.from(m[1] ?? "", "base64")),
  )

const pkcs8Der = (keyPem: string): Uint8Array =>
  new Uint8Array(createPrivateKey(keyPem).export({ format: "der", type: "pkcs8" }))

const installHint = "apt-get install -y openssl"

/** Makes the key and a CSR for `spec`, then has `issuer` (or the key itself) sign it. */
const makeCert = async (dir: string, now: number, spec: CertSpec, issuer?: Promise<Issued>): Promise<Issued> => {
  const base = join(dir, spec.name)
  const keyPath = `${base}.key.pem`
  const csrPath = `${base}.csr.pem`
  const certPath = `${base}.cert.pem`
  await runTool(
    "openssl",
    ["req", "-new", ...spec.key, "-noenc", "-keyout", keyPath, "-out", csrPath, "-subj", spec.subject],
    { env: { OPENSSL_CONF: join(dir, "req.cnf") }, installHint },
  )
  const parent = await issuer
  const database = join(dir, "db", `${spec.name}.index`)
  await writeFile(database, "")
  const signer =
    parent === undefined ? ["-selfsign", "-keyfile", keyPath] : ["-cert", parent.certPath, "-keyfile", parent.keyPath]
  await runTool(
    "openssl",
    [
      "ca",
      "-batch",
      "-notext",
      "-rand_serial",
      "-preserveDN",
      "-config",
      join(dir, "ca.cnf"),
      "-extensions",
      spec.profile,
      "-startdate",
      asn1Time(now + spec.from),
      "-enddate",
      asn1Time(now + spec.to),
      ...signer,
      "-in",
      csrPath,
      "-out",
      certPath,
    ],
    { env: { EFFECT_TLS_CA_DB: database }, installHint },
  )
  const [certText, keyPem] = await Promise.all([readFile(certPath, "utf8"), readFile(keyPath, "utf8")])
  // `openssl ca` may put text before the PEM block; keep only the block.
  const certPem = `${certText.slice(certText.indexOf("-----BEGIN CERTIFICATE-----")).trim()}\n`
  const intermediatesPem = parent === undefined || parent.selfSigned ? "" : parent.chainPem
  const chainPem = certPem + intermediatesPem
  const chainPath = `${base}.chain.pem`
  const intermediatesPath = intermediatesPem === "" ? undefined : `${base}.intermediates.pem`
  await Promise.all([
    writeFile(certPath, certPem),
    writeFile(chainPath, chainPem),
    intermediatesPath === undefined ? undefined : writeFile(intermediatesPath, intermediatesPem),
  ])
  return {
    name: spec.name,
    certPath,
    certPem,
    certDer: pemBlocks(certPem)[0] ?? new Uint8Array(0),
    keyPath,
    keyPem,
    keyDer: pkcs8Der(keyPem),
    chainPath,
    chainPem,
    chainDer: pemBlocks(chainPem),
    intermediatesPath,
    selfSigned: parent === undefined,
  }
}

const buildPki = async (): Promise<TestPki> => {
  const dir = await makeTempDir("effect-tls-pki-")
  await Promise.all([
    writeFile(join(dir, "ca.cnf"), caConfig(dir)),
    writeFile(join(dir, "req.cnf"), reqConfig),
    mkdir(join(dir, "issued")),
    mkdir(join(dir, "db")),
  ])
  const now = Date.now()
  const p256 = keyArgs.ecdsaP256
  // Start a day in the past so a verifier whose clock lags a little still accepts.
  const ca = { from: -day, to: 3650 * day }
  const valid = { from: -day, to: 90 * day }
  const make = (spec: CertSpec, issuer?: Promise<Issued>) => makeCert(dir, now, spec, issuer)
  const leaf = (name: string, key: ReadonlyArray<string>, issuer: Promise<Issued>, validity = valid) =>
    make({ name, subject: "/CN=localhost", key, profile: "server_leaf", ...validity }, issuer)

  // Every certificate starts at once; each waits only for its own issuer.
  const root = make({ name: "root", subject: "/CN=effect-tls Test Root CA", key: p256, profile: "root_ca", ...ca })
  const intermediate = make(
    {
      name: "intermediate",
      subject: "/CN=effect-tls Test Intermediate CA",
      key: p256,
      profile: "intermediate_ca",
      ...ca,
    },
    root,
  )
  const clientCa = make({
    name: "client-ca",
    subject: "/CN=effect-tls Test Client CA",
    key: p256,
    profile: "root_ca",
    ...ca,
  })
  const pending = {
    root,
    intermediate,
    ecdsaP256: leaf("leaf-ecdsa-p256", keyArgs.ecdsaP256, intermediate),
    ecdsaP384: leaf("leaf-ecdsa-p384", keyArgs.ecdsaP384, intermediate),
    rsa2048: leaf("leaf-rsa-2048", keyArgs.rsa2048, intermediate),
    rsaPss2048: leaf("leaf-rsa-pss-2048", keyArgs.rsaPss2048, intermediate),
    ed25519: leaf("leaf-ed25519", keyArgs.ed25519, intermediate),
    rootIssued: leaf("root-issued", p256, root),
    clientCa,
    client: make(
      { name: "client", subject: "/CN=effect-tls test client", key: p256, profile: "client_leaf", ...valid },
      clientCa,
    ),
    expired: leaf("expired", p256, intermediate, { from: -60 * day, to: -30 * day }),
    notYetValid: leaf("not-yet-valid", p256, intermediate, { from: 30 * day, to: 60 * day }),
    wrongHost: make(
      { name: "wrong-host", subject: "/CN=wrong-host.invalid", key: p256, profile: "wrong_host_leaf", ...valid },
      intermediate,
    ),
    selfSigned: make({
      name: "self-signed",
      subject: "/CN=localhost",
      key: p256,
      profile: "self_signed_leaf",
      ...valid,
    }),
  }
  await Promise.all(Object.values(pending))
  const get = async (issued: Promise<Issued>): Promise<CertKeyPair> => {
    const { selfSigned: _, ...pair } = await issued
    return pair
  }
  return {
    dir,
    root: await get(pending.root),
    intermediate: await get(pending.intermediate),
    leaves: {
      ecdsaP256: await get(pending.ecdsaP256),
      ecdsaP384: await get(pending.ecdsaP384),
      rsa2048: await get(pending.rsa2048),
      rsaPss2048: await get(pending.rsaPss2048),
      ed25519: await get(pending.ed25519),
    },
    rootIssued: await get(pending.rootIssued),
    clientCa: await get(pending.clientCa),
    client: await get(pending.client),
    expired: await get(pending.expired),
    notYetValid: await get(pending.notYetValid),
    wrongHost: await get(pending.wrongHost),
    selfSigned: await get(pending.selfSigned),
  }
}

let cached: Promise<TestPki> | undefined

/**
 * The test PKI, made on first call (about a second, mostly RSA key generation) and shared by
 * every later call in this process. A failed attempt is not cached.
 */
export const getTestPki = (): Promise<TestPki> => {
  cached ??= buildPki().catch((error: unknown) => {
    cached = undefined
    throw error
  })
  return cached
}

/** `getTestPki` as an Effect. */
export const testPki: Effect.Effect<TestPki, PeerError> = Effect.tryPromise({ try: getTestPki, catch: toPeerError })
