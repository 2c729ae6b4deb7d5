/**
 * A throwaway PKI made in memory at start, for the demo: a root CA and a leaf for
 * `localhost` / 127.0.0.1, ECDSA P-256, written with our DER writer and signed with
 * node:crypto. No openssl binary needed.
 *
 * @since 0.1.0
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto"
import {
  contextTag,
  DerTag,
  derBitString,
  derElement,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
} from "@effect-tls/crypto/der"

const ecdsaWithSha256 = derSequence(derOid("1.2.840.10045.4.3.2"))
const utf8 = (text: string) => derElement(0x0c, new TextEncoder().encode(text))
const commonName = (cn: string) => derSequence(derElement(DerTag.Set, derSequence(derOid("2.5.4.3"), utf8(cn))))
const utcTime = (date: Date) =>
  derElement(0x17, new TextEncoder().encode(`${date.toISOString().slice(2, 19).replace(/[-:T]/g, "")}Z`))
const extension = (oid: string, critical: boolean, value: Uint8Array) =>
  derSequence(
    derOid(oid),
    ...(critical ? [derElement(DerTag.Boolean, Uint8Array.of(0xff))] : []),
    derOctetString(value),
  )
const keyUsage = (unusedBits: number, bits: number) => derElement(DerTag.BitString, Uint8Array.of(unusedBits, bits))
const keyId = (spki: Uint8Array) => createHash("sha256").update(spki).digest().subarray(0, 20)

const spkiOf = (key: KeyObject) => new Uint8Array(key.export({ type: "spki", format: "der" }))

const certificate = (tbs: Uint8Array, issuerKey: KeyObject) =>
  derSequence(tbs, ecdsaWithSha256, derBitString(new Uint8Array(sign("sha256", tbs, issuerKey))))

const tbsCertificate = (issuer: string, subject: string, spki: Uint8Array, extensions: ReadonlyArray<Uint8Array>) => {
  const now = Date.now()
  return derSequence(
    derElement(contextTag(0, true), derInteger(2n)),
    derInteger(BigInt(`0x01${randomBytes(15).toString("hex")}`)),
    ecdsaWithSha256,
    commonName(issuer),
    derSequence(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 24 * 3600_000))),
    commonName(subject),
    spki,
    derElement(contextTag(3, true), derSequence(...extensions)),
  )
}

const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd()}\n-----END ${label}-----\n`

/** A CA and a server leaf for localhost, as PEM. @since 0.1.0 */
export interface ThrowawayPki {
  readonly caCertificate: string
  readonly leafCertificate: string
  readonly leafKey: string
}

/** Makes a fresh CA ("effect-tls demo CA") and a leaf for localhost and 127.0.0.1. @since 0.1.0 */
export const makeThrowawayPki = (): ThrowawayPki => {
  const ca = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  const leaf = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  const caSpki = spkiOf(ca.publicKey)
  const leafSpki = spkiOf(leaf.publicKey)
  const caName = "effect-tls demo CA"
  const caCert = certificate(
    tbsCertificate(caName, caName, caSpki, [
      extension("2.5.29.19", true, derSequence(derElement(DerTag.Boolean, Uint8Array.of(0xff)))),
      extension("2.5.29.15", true, keyUsage(1, 0x06)),
      extension("2.5.29.14", false, derOctetString(keyId(caSpki))),
    ]),
    ca.privateKey,
  )
  const leafCert = certificate(
    tbsCertificate(caName, "localhost", leafSpki, [
      extension("2.5.29.19", true, derSequence()),
      extension("2.5.29.15", true, keyUsage(7, 0x80)),
      extension("2.5.29.37", false, derSequence(derOid("1.3.6.1.5.5.7.3.1"))),
      extension(
        "2.5.29.17",
        false,
        derSequence(
          derElement(contextTag(2, false), new TextEncoder().encode("localhost")),
          derElement(contextTag(7, false), Uint8Array.of(127, 0, 0, 1)),
        ),
      ),
      extension("2.5.29.35", false, derSequence(derElement(contextTag(0, false), keyId(caSpki)))),
      extension("2.5.29.14", false, derOctetString(keyId(leafSpki))),
    ]),
    ca.privateKey,
  )
  return {
    caCertificate: pem("CERTIFICATE", caCert),
    leafCertificate: pem("CERTIFICATE", leafCert),
    leafKey: leaf.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  }
}
