/**
 * Node's bundled root certificates (the transport's default trust anchors) through the
 * parser and the trust anchor checks. A few roots break the CA/Browser Forum profile that
 * x509-limbo holds anchors to; they are listed here so that any new refusal shows up.
 */
import { rootCertificates } from "node:tls"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { decodePem, parseCertificate } from "../../src/x509/index.js"
import { defaultVerificationPolicy } from "../../src/x509/policy.js"
import { checkCertificate } from "../../src/x509/profile.js"

/** Roots refused as anchors, and why (they are usable only if the profile is relaxed). */
const knownRefusals: Readonly<Record<string, string>> = {
  "CN=QuoVadis Root CA 2,O=QuoVadis Limited,C=BM": "authorityKeyIdentifier with authorityCertIssuer",
  "CN=QuoVadis Root CA 3,O=QuoVadis Limited,C=BM": "authorityKeyIdentifier with authorityCertIssuer",
  "CN=Certigna,O=Dhimyotis,C=FR": "authorityKeyIdentifier with authorityCertIssuer",
  "OU=ePKI Root Certification Authority,O=Chunghwa Telecom Co.\\, Ltd.,C=TW": "non-critical basicConstraints",
  "CN=TWCA Global Root CA,OU=Root CA,O=TAIWAN-CA,C=TW": "no subjectKeyIdentifier",
}

describe("Node's root certificates", () => {
  it("all parse, and all but the known few pass the trust anchor checks", () => {
    const refused: Array<string> = []
    for (const pem of rootCertificates) {
      const der = Either.getOrThrow(decodePem(pem))[0]!.der
      const certificate = Either.getOrThrow(parseCertificate(der))
      // Checked inside each root's validity period, so the test does not age.
      const during = certificate.notBefore.getTime() + 24 * 60 * 60 * 1000
      const refusal = checkCertificate(certificate, "anchor", during, defaultVerificationPolicy)
      if (refusal !== undefined) refused.push(refusal.subject)
    }
    expect(rootCertificates.length).toBeGreaterThan(100)
    expect(refused.filter((subject) => knownRefusals[subject] === undefined)).toEqual([])
    console.log(
      `system roots: ${rootCertificates.length - refused.length}/${rootCertificates.length} usable as anchors`,
    )
  })
})
