import { describe, expect, it } from "@effect/vitest"
import { hashLength } from "@effect-tls/crypto"

describe("smoke", () => {
  it("hash lengths", () => {
    expect(hashLength("SHA-384")).toBe(48)
  })
})
