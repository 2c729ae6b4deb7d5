/**
 * The benchmark's certificates, made with the openssl CLI in a temp dir: a self-signed ECDSA
 * P-256 root and an ECDSA P-256 leaf it issued for localhost / 127.0.0.1. Every client
 * verifies the leaf against the root, so each handshake checks two ECDSA P-256 signatures
 * (the chain and CertificateVerify).
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { onCleanup } from "./cleanup.js"

/** Paths and PEM text of the benchmark PKI. */
export interface BenchPki {
  readonly dir: string
  readonly rootPem: string
  readonly leafPem: string
  /** The leaf's private key, PKCS#8 PEM. */
  readonly leafKeyPem: string
  readonly rootCertPath: string
  readonly leafCertPath: string
  readonly leafKeyPath: string
  /** Removes the temp dir (also done at exit if forgotten). */
  readonly remove: () => void
}

const openssl = (dir: string, args: ReadonlyArray<string>): void => {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] })
}

/** Makes the root and the leaf in a new temp dir. */
export const makePki = (): BenchPki => {
  const dir = mkdtempSync(join(tmpdir(), "effect-tls-bench-pki-"))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  const unregister = onCleanup(remove)
  const curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
  openssl(dir, [
    ...["req", "-x509", ...curve, "-keyout", "root.key", "-out", "root.pem", "-days", "30"],
    ...["-subj", "/CN=effect-tls bench root", "-addext", "basicConstraints=critical,CA:TRUE"],
    ...["-addext", "keyUsage=critical,keyCertSign"],
  ])
  openssl(dir, ["req", ...curve, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost"])
  writeFileSync(
    join(dir, "leaf.ext"),
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n",
  )
  openssl(dir, [
    ...["x509", "-req", "-in", "leaf.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial"],
    ...["-out", "leaf.pem", "-days", "30", "-extfile", "leaf.ext"],
  ])
  return {
    dir,
    rootPem: readFileSync(join(dir, "root.pem"), "utf8"),
    leafPem: readFileSync(join(dir, "leaf.pem"), "utf8"),
    leafKeyPem: readFileSync(join(dir, "leaf.key"), "utf8"),
    rootCertPath: join(dir, "root.pem"),
    leafCertPath: join(dir, "leaf.pem"),
    leafKeyPath: join(dir, "leaf.key"),
    remove: () => {
      unregister()
      remove()
    },
  }
}
