// Certificates that each break one rule of certificate verification, for the end-to-end
// certificate tests: made on first use with the openssl CLI (`req` + `x509 -req`), under the
// test PKI's root and intermediate, or as byte-level tampering of its good leaf. Separate from
// `certs.ts` so that `getTestPki` stays fast for every other test.
import { createPrivateKey, randomBytes, X509Certificate } from "node:crypto"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Effect } from "effect"
import { type CertKeyPair, getTestPki, type TestPki } from "./certs.js"
import { type PeerError, toPeerError } from "./errors.js"
import { makeTempDir } from "./tempDir.js"
import { runTool } from "./tools.js"

/**
 * The broken certificates. Leaves name `CN=localhost` with an `OU` that says what is wrong,
 * and DNS:localhost, IP:127.0.0.1, IP:::1; unless said otherwise they are issued by the test
 * intermediate and are what a server sends as is (`chainPath` holds their intermediates).
 */
export interface BadCerts {
  readonly dir: string
  /** RSA-1024 leaf, `OU=rsa-1024` (WeakKey). */
  readonly rsa1024: CertKeyPair
  /** Leaf signed with ecdsa-with-SHA1, `OU=sha1-signed` (WeakKey). */
  readonly sha1Signed: CertKeyPair
  /** Leaf signed with ecdsa-with-SHA3-256, `OU=sha3-signed` (an algorithm we do not implement). */
  readonly sha3Signed: CertKeyPair
  /** Leaf `OU=under-not-ca` issued by `CN=effect-tls Not-CA Intermediate` (basicConstraints CA:FALSE, from the root). */
  readonly underNotCa: CertKeyPair
  /** Leaf `OU=path-too-long` under `CN=effect-tls Sub-CA` (a CA issued by the pathlen-0 intermediate). */
  readonly pathLenExceeded: CertKeyPair
  /** Leaf `OU=name-constrained` under `CN=effect-tls Constrained CA` (from the root; excluded DNS:localhost). */
  readonly nameConstrained: CertKeyPair
  /** Leaf whose keyUsage is keyAgreement only, `OU=no-digital-signature`. */
  readonly noDigitalSignature: CertKeyPair
  /** Leaf whose extendedKeyUsage is clientAuth only, `OU=client-auth-only`. */
  readonly clientAuthOnly: CertKeyPair
  /** Leaf with an unknown critical extension (1.3.6.1.4.1.57264.99.1), `OU=unknown-critical`. */
  readonly unknownCriticalExtension: CertKeyPair
  /** Leaf `OU=under-p521` issued by `CN=effect-tls P-521 CA` (a P-521 key, from the root). */
  readonly underP521: CertKeyPair
  /** Leaf without authorityKeyIdentifier, `OU=no-authority-key-id`. */
  readonly noAuthorityKeyId: CertKeyPair
  /** The PKI's P-256 leaf with its basicConstraints `critical` BOOLEAN encoded 0x01 (BER, not DER). */
  readonly nonDerBoolean: CertKeyPair
  /** The PKI's P-256 leaf with the last byte of its signature flipped. */
  readonly badSignature: CertKeyPair
  /** The PKI's P-256 leaf served without its intermediate. */
  readonly withoutIntermediate: CertKeyPair
  /** Leaf `OU=ten-intermediates` under `CN=effect-tls Chain CA 10` ... `CN=effect-tls Chain CA 1` (from the root). */
  readonly tenIntermediates: CertKeyPair
  /** Leaf `OU=eleven-intermediates` under Chain CA 11 ... Chain CA 1 (CA 11 issued by CA 10). */
  readonly elevenIntermediates: CertKeyPair
}

const p256 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
const p521 = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"]
const rsa1024 = ["-newkey", "rsa:1024"]

const caExtensions = `basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign`

/** A server leaf's extensions, with one line replaced or added by `changes` (keyed by extension name). */
const leafExtensions = (changes: Readonly<Record<string, string>> = {}): string =>
  Object.entries({
    basicConstraints: "critical, CA:false",
    keyUsage: "critical, digitalSignature",
    extendedKeyUsage: "serverAuth",
    subjectAltName: "DNS:localhost, IP:127.0.0.1, IP:::1",
    ...changes,
  })
    .map(([name, value]) => `${name} = ${value}`)
    .join("\n")

interface Spec {
  readonly name: string
  /** For `openssl req -subj`, e.g. "/OU=rsa-1024/CN=localhost". */
  readonly subject: string
  /** `openssl req` key options. */
  readonly key: ReadonlyArray<string>
  /** Extension lines (x509v3_config). `openssl x509` adds subject and authority key identifiers unless set to none. */
  readonly extensions: string
  readonly issuer: CertKeyPair
  /** Signature digest (default sha256). */
  readonly digest?: string
}

const installHint = "apt-get install -y openssl"

const derBlocks = (pem: string): Array<Uint8Array> =>
  Array.from(pem.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g), (m) =>
    Uint8Array.from(Buffer.from(m[1] ?? "", "base64")),
  )

const toPem = (der: Uint8Array): string => {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`
}

const isSelfSigned = (pair: CertKeyPair): boolean => {
  const certificate = new X509Certificate(pair.certPem)
  return certificate.subject === certificate.issuer
}

/** A positive 16-byte serial without a leading zero octet. */
const serial = (): string => {
  const bytes = randomBytes(16)
  bytes[0] = (bytes[0]! & 0x3f) | 0x10
  return `0x${bytes.toString("hex")}`
}

/** Writes `certPem` as the certificate of a pair whose intermediates (the issuer's chain) follow it. */
const writePair = async (
  dir: string,
  name: string,
  certPem: string,
  key: { readonly keyPath: string; readonly keyPem: string; readonly keyDer: Uint8Array },
  intermediatesPem: string,
): Promise<CertKeyPair> => {
  const base = join(dir, name)
  const certPath = `${base}.cert.pem`
  const chainPath = `${base}.chain.pem`
  const intermediatesPath = intermediatesPem === "" ? undefined : `${base}.intermediates.pem`
  const chainPem = certPem + intermediatesPem
  await Promise.all([
    writeFile(certPath, certPem),
    writeFile(chainPath, chainPem),
    intermediatesPath === undefined ? undefined : writeFile(intermediatesPath, intermediatesPem),
  ])
  return {
    name,
    certPath,
    certPem,
    certDer: derBlocks(certPem)[0] ?? new Uint8Array(0),
    ...key,
    chainPath,
    chainPem,
    chainDer: derBlocks(chainPem),
    intermediatesPath,
  }
}

/** Makes a key and a certificate for `spec`, signed by `spec.issuer` with `openssl x509 -req`. */
const issue = async (dir: string, spec: Spec): Promise<CertKeyPair> => {
  const base = join(dir, spec.name)
  const keyPath = `${base}.key.pem`
  const csrPath = `${base}.csr.pem`
  const extPath = `${base}.ext.cnf`
  const issuedPath = `${base}.issued.pem`
  await writeFile(extPath, `[ext]\n${spec.extensions}\n`)
  await runTool(
    "openssl",
    [
      "req",
      "-config",
      join(dir, "req.cnf"),
      "-new",
      ...spec.key,
      "-noenc",
      "-keyout",
      keyPath,
      "-out",
      csrPath,
      "-subj",
      spec.subject,
    ],
    { installHint },
  )
  await runTool(
    "openssl",
    [
      "x509",
      "-req",
      "-in",
      csrPath,
      "-CA",
      spec.issuer.certPath,
      "-CAkey",
      spec.issuer.keyPath,
      "-set_serial",
      serial(),
      "-days",
      "30",
      `-${spec.digest ?? "sha256"}`,
      "-extfile",
      extPath,
      "-extensions",
      "ext",
      "-out",
      issuedPath,
    ],
    { installHint },
  )
  const [certPem, keyPem] = await Promise.all([readFile(issuedPath, "utf8"), readFile(keyPath, "utf8")])
  const keyDer = new Uint8Array(createPrivateKey(keyPem).export({ format: "der", type: "pkcs8" }))
  const intermediatesPem = isSelfSigned(spec.issuer) ? "" : spec.issuer.chainPem
  return writePair(dir, spec.name, certPem, { keyPath, keyPem, keyDer }, intermediatesPem)
}

/** `pair` with its certificate replaced by `der` (same key and intermediates). */
const withCertificate = (dir: string, pair: CertKeyPair, name: string, der: Uint8Array): Promise<CertKeyPair> =>
  writePair(
    dir,
    name,
    toPem(der),
    { keyPath: pair.keyPath, keyPem: pair.keyPem, keyDer: pair.keyDer },
    pair.chainPem.slice(pair.certPem.length),
  )

/** The certificate with the last byte of its signature (the end of the DER) flipped. */
const flipLastByte = (der: Uint8Array): Uint8Array => {
  const copy = der.slice()
  const last = copy.length - 1
  copy[last] = copy[last]! ^ 0x01
  return copy
}

/** basicConstraints' OID followed by `critical` TRUE: 06 03 55 1d 13, 01 01 ff. */
const criticalBasicConstraints = [0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff]

/** The certificate with basicConstraints' `critical` TRUE as 0x01: valid BER that DER forbids; OpenSSL reads it. */
const berBoolean = (der: Uint8Array): Uint8Array => {
  const at = der.findIndex((_, i) => criticalBasicConstraints.every((byte, j) => der[i + j] === byte))
  if (at < 0) throw new Error("no critical basicConstraints in the certificate")
  const copy = der.slice()
  copy[at + criticalBasicConstraints.length - 1] = 0x01
  return copy
}

/** Issues `count` CAs in a row below `top` ("Chain CA 1" from `top`), one at a time. */
const caChain = async (dir: string, top: CertKeyPair, count: number): Promise<Array<CertKeyPair>> => {
  const chain: Array<CertKeyPair> = []
  for (let n = 1; n <= count; n++) {
    const issuer = chain[n - 2] ?? top
    chain.push(
      await issue(dir, {
        name: `chain-ca-${n}`,
        subject: `/CN=effect-tls Chain CA ${n}`,
        key: p256,
        extensions: caExtensions,
        issuer,
      }),
    )
  }
  return chain
}

const buildBadCerts = async (pki: TestPki): Promise<BadCerts> => {
  const dir = await makeTempDir("effect-tls-bad-certs-")
  await writeFile(join(dir, "req.cnf"), "[req]\ndistinguished_name = dn\nstring_mask = utf8only\n[dn]\n")
  const make = (spec: Spec) => issue(dir, spec)
  const leaf = (name: string, issuer: CertKeyPair, extensions = leafExtensions(), more: Partial<Spec> = {}) =>
    make({ name, subject: `/OU=${name}/CN=localhost`, key: p256, extensions, issuer, ...more })
  const underCa = async (name: string, subject: string, caMore: Partial<Spec>, issuer: CertKeyPair) =>
    leaf(name, await make({ name: `${name}-ca`, subject, key: p256, extensions: caExtensions, issuer, ...caMore }))

  const good = pki.leaves.ecdsaP256
  const chain = caChain(dir, pki.root, 11)
  const [
    rsa1024Leaf,
    sha1Signed,
    sha3Signed,
    underNotCa,
    pathLenExceeded,
    nameConstrained,
    noDigitalSignature,
    clientAuthOnly,
    unknownCriticalExtension,
    underP521,
    noAuthorityKeyId,
    nonDerBoolean,
    badSignature,
  ] = await Promise.all([
    leaf("rsa-1024", pki.intermediate, leafExtensions(), { key: rsa1024 }),
    leaf("sha1-signed", pki.intermediate, leafExtensions(), { digest: "sha1" }),
    leaf("sha3-signed", pki.intermediate, leafExtensions(), { digest: "sha3-256" }),
    underCa(
      "under-not-ca",
      "/CN=effect-tls Not-CA Intermediate",
      { extensions: "basicConstraints = critical, CA:false\nkeyUsage = critical, digitalSignature" },
      pki.root,
    ),
    underCa("path-too-long", "/CN=effect-tls Sub-CA", {}, pki.intermediate),
    underCa(
      "name-constrained",
      "/CN=effect-tls Constrained CA",
      { extensions: `${caExtensions}\nnameConstraints = critical, excluded;DNS:localhost` },
      pki.root,
    ),
    leaf("no-digital-signature", pki.intermediate, leafExtensions({ keyUsage: "critical, keyAgreement" })),
    leaf("client-auth-only", pki.intermediate, leafExtensions({ extendedKeyUsage: "clientAuth" })),
    leaf("unknown-critical", pki.intermediate, leafExtensions({ "1.3.6.1.4.1.57264.99.1": "critical, ASN1:NULL" })),
    underCa("under-p521", "/CN=effect-tls P-521 CA", { key: p521 }, pki.root),
    leaf("no-authority-key-id", pki.intermediate, leafExtensions({ authorityKeyIdentifier: "none" })),
    withCertificate(dir, good, "non-der-boolean", berBoolean(good.certDer)),
    withCertificate(dir, good, "bad-signature", flipLastByte(good.certDer)),
  ])
  const cas = await chain
  return {
    dir,
    rsa1024: rsa1024Leaf,
    sha1Signed,
    sha3Signed,
    underNotCa,
    pathLenExceeded,
    nameConstrained,
    noDigitalSignature,
    clientAuthOnly,
    unknownCriticalExtension,
    underP521,
    noAuthorityKeyId,
    nonDerBoolean,
    badSignature,
    withoutIntermediate: {
      ...good,
      name: "without-intermediate",
      chainPath: good.certPath,
      chainPem: good.certPem,
      chainDer: [good.certDer],
      intermediatesPath: undefined,
    },
    tenIntermediates: await leaf("ten-intermediates", cas[9]!),
    elevenIntermediates: await leaf("eleven-intermediates", cas[10]!),
  }
}

let cached: Promise<BadCerts> | undefined

/**
 * The broken certificates, made on first call from the test PKI (a few seconds, mostly the
 * eleven chained CAs, which are made one after another) and shared by every later call in
 * this process. A failed attempt is not cached.
 */
export const getBadCerts = (): Promise<BadCerts> => {
  cached ??= getTestPki()
    .then(buildBadCerts)
    .catch((error: unknown) => {
      cached = undefined
      throw error
    })
  return cached
}

/** `getBadCerts` as an Effect. */
export const badCerts: Effect.Effect<BadCerts, PeerError> = Effect.tryPromise({ try: getBadCerts, catch: toPeerError })
