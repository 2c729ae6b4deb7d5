/**
 * A tiny certificate authority on the `openssl` command line, for tests: keys, roots and
 * issued certificates with the extensions a test names, in a temporary directory.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Either } from "effect"
import { decodePem } from "../../src/x509/index.js"

/** Key types the tests use. */
export type KeyType = "p256" | "p384" | "rsa1024" | "rsa2048" | "ed25519"

/** A certificate made by `Pki`, with the files openssl needs to issue from it. */
export interface Issued {
  readonly name: string
  readonly der: Uint8Array
  readonly certFile: string
  readonly keyFile: string
  readonly keyType: KeyType
}

/** How to make one certificate. */
export interface CertificateSpec {
  /** The subject, in openssl's `/CN=.../O=...` form (default `/CN=<name>`). */
  readonly subject?: string
  readonly key?: KeyType
  /** Lines of an openssl extension section, e.g. `basicConstraints = critical,CA:TRUE`. */
  readonly extensions: ReadonlyArray<string>
  /** Signing options: a digest flag such as `-sha384`, and `-sigopt` pairs. */
  readonly signing?: ReadonlyArray<string>
  readonly days?: number
}

const keyOptions: Readonly<Record<KeyType, ReadonlyArray<string>>> = {
  p256: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
  p384: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
  rsa1024: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
  rsa2048: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
  ed25519: ["-algorithm", "ED25519"],
}

/** Ed25519 signs without a separate digest; the others use SHA-256. */
const defaultSigning = (issuerKey: KeyType): ReadonlyArray<string> => (issuerKey === "ed25519" ? [] : ["-sha256"])

/** Extensions of a CA certificate. */
export const caExtensions = [
  "basicConstraints = critical,CA:TRUE",
  "keyUsage = critical,keyCertSign,cRLSign",
  "subjectKeyIdentifier = hash",
]

/** Extensions of a server certificate for `names` (e.g. `DNS:www.example.test`, `IP:127.0.0.1`). */
export const serverExtensions = (...names: ReadonlyArray<string>) => [
  "basicConstraints = critical,CA:FALSE",
  "keyUsage = critical,digitalSignature",
  "extendedKeyUsage = serverAuth",
  "subjectKeyIdentifier = hash",
  `subjectAltName = ${names.join(",")}`,
]

/** A scratch certificate authority in a temporary directory; `close` removes it. */
export class Pki {
  readonly dir = mkdtempSync(join(tmpdir(), "effect-tls-x509-"))
  private serial = 0x1000

  private openssl(args: ReadonlyArray<string>): void {
    execFileSync("openssl", args, { cwd: this.dir, stdio: ["ignore", "ignore", "pipe"] })
  }

  private config(name: string, extensions: ReadonlyArray<string>): string {
    const file = join(this.dir, `${name}.cnf`)
    writeFileSync(file, ["[req]", "distinguished_name = dn", "[dn]", "[ext]", ...extensions, ""].join("\n"))
    return file
  }

  private read(name: string, keyType: KeyType): Issued {
    const certFile = join(this.dir, `${name}.pem`)
    const blocks = Either.getOrThrow(decodePem(readFileSync(certFile, "utf8")))
    return { name, der: blocks[0]!.der, certFile, keyFile: join(this.dir, `${name}.key`), keyType }
  }

  private key(name: string, type: KeyType): string {
    const file = join(this.dir, `${name}.key`)
    this.openssl(["genpkey", ...keyOptions[type], "-out", file])
    return file
  }

  /** A self-signed certificate (a root, or a self-signed server certificate). */
  selfSigned(name: string, spec: CertificateSpec): Issued {
    const key = this.key(name, spec.key ?? "p256")
    const config = this.config(name, spec.extensions)
    this.openssl([
      "req",
      "-x509",
      "-new",
      "-key",
      key,
      "-subj",
      spec.subject ?? `/CN=${name}`,
      "-config",
      config,
      "-extensions",
      "ext",
      "-days",
      String(spec.days ?? 3650),
      "-set_serial",
      String(this.serial++),
      ...(spec.signing ?? defaultSigning(spec.key ?? "p256")),
      "-out",
      join(this.dir, `${name}.pem`),
    ])
    return this.read(name, spec.key ?? "p256")
  }

  /** A certificate for a new key, issued by `issuer`. */
  issue(name: string, issuer: Issued, spec: CertificateSpec): Issued {
    const key = this.key(name, spec.key ?? "p256")
    const config = this.config(name, ["authorityKeyIdentifier = keyid:always", ...spec.extensions])
    const csr = join(this.dir, `${name}.csr`)
    this.openssl(["req", "-new", "-key", key, "-subj", spec.subject ?? `/CN=${name}`, "-config", config, "-out", csr])
    this.openssl([
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      issuer.certFile,
      "-CAkey",
      issuer.keyFile,
      "-extfile",
      config,
      "-extensions",
      "ext",
      "-days",
      String(spec.days ?? 3650),
      "-set_serial",
      String(this.serial++),
      ...(spec.signing ?? defaultSigning(issuer.keyType)),
      "-out",
      join(this.dir, `${name}.pem`),
    ])
    return this.read(name, spec.key ?? "p256")
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}
