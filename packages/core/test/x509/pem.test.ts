import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import { decodePem } from "../../src/x509/index.js"

const block = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64")

const errorOf = (text: string): string => {
  const result = decodePem(text)
  if (Either.isRight(result)) throw new Error("expected a PemError")
  return result.left.detail
}

describe("decodePem", () => {
  it("decodes every block in order, ignoring text between blocks and CRLF line ends", () => {
    const text = `a trust bundle\r\n${block("CERTIFICATE", "AAEC\r\nAwQ=")}comment\n${block("X509 CRL", "/w==")}`
    const blocks = Either.getOrThrow(decodePem(text))
    expect(blocks).toEqual([
      { label: "CERTIFICATE", der: Uint8Array.of(0, 1, 2, 3, 4) },
      { label: "X509 CRL", der: Uint8Array.of(0xff) },
    ])
  })

  it("returns no blocks for text without PEM", () => {
    expect(Either.getOrThrow(decodePem("nothing here\n"))).toEqual([])
  })

  it("refuses broken blocks", () => {
    expect(errorOf(block("CERTIFICATE", "AAEC").replace("END CERTIFICATE", "END PRIVATE KEY"))).toContain("closes")
    expect(errorOf("-----BEGIN CERTIFICATE-----\nAAEC\n")).toContain("without END")
    expect(errorOf(block("CERTIFICATE", "Proc-Type: 4,ENCRYPTED\n\nAAEC"))).toContain("header")
    expect(errorOf(block("CERTIFICATE", "-----BEGIN CERTIFICATE-----\nAAEC"))).toContain("unexpected line")
    expect(errorOf(block("CERT  IFICATE", "AAEC"))).toContain("label")
  })

  it("refuses base64 that is not canonical", () => {
    for (const body of ["AAE", "AA=C", "AAE!", "AAF=", "AB==", "====", ""]) {
      expect(errorOf(block("CERTIFICATE", body))).toContain("not base64")
    }
  })

  it.prop(
    "property: any bytes survive encoding as PEM",
    [fc.uint8Array({ minLength: 1, maxLength: 300 })],
    ([bytes]) => {
      const body = toBase64(bytes).replace(/(.{64})/g, "$1\n")
      expect(Either.getOrThrow(decodePem(block("CERTIFICATE", body)))[0]!.der).toEqual(bytes)
    },
  )

  it.prop("property: never throws on arbitrary text", [fc.string({ maxLength: 400 })], ([noise]) => {
    const text = `${noise}${block("CERTIFICATE", noise)}${noise}-----BEGIN ${noise}-----`
    expect(() => decodePem(text)).not.toThrow()
  })
})
