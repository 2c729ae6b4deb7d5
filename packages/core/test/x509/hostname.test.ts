import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { dnsNameMatches, formatIpAddress, parseIpAddress, serverIdentityFromString } from "../../src/x509/index.js"
import { dnsConstraintMatches } from "../../src/x509/nameConstraints.js"

describe("dnsNameMatches (RFC 6125 / RFC 9525)", () => {
  const cases: ReadonlyArray<readonly [string, string, boolean]> = [
    ["example.com", "example.com", true],
    ["EXAMPLE.com", "example.com", true],
    ["example.com", "www.example.com", false],
    ["www.example.com", "example.com", false],
    ["*.example.com", "foo.example.com", true],
    ["*.Example.COM", "foo.example.com", true],
    ["*.example.com", "example.com", false],
    ["*.example.com", "foo.bar.example.com", false],
    ["*.example.com", "xn--bcher-kva.example.com", true],
    ["f*.example.com", "foo.example.com", false],
    ["*oo.example.com", "foo.example.com", false],
    ["foo.*.example.com", "foo.bar.example.com", false],
    ["xn--*-1b3c148a.example.com", "xn--bliss-1b3c148a.example.com", false],
    ["*", "com", false],
    ["*.com", "example.com", false],
    ["foo_bar.example.com", "foo_bar.example.com", false],
    ["8.8.8.8", "8.8.8.8", false],
    ["example.com.", "example.com", false],
    ["-bad.example.com", "-bad.example.com", false],
  ]
  for (const [presented, reference, expected] of cases) {
    it(`${presented} ${expected ? "matches" : "does not match"} ${reference}`, () => {
      expect(dnsNameMatches(presented, reference)).toBe(expected)
    })
  }

  it.prop(
    "property: a wildcard matches exactly the names one label longer than its base",
    [fc.domain(), fc.stringMatching(/^[a-z0-9]{1,10}$/), fc.stringMatching(/^[a-z0-9]{1,10}$/)],
    ([base, first, second]) => {
      if (!base.includes(".")) return
      expect(dnsNameMatches(`*.${base}`, `${first}.${base}`)).toBe(true)
      expect(dnsNameMatches(`*.${base}`, `${first}.${second}.${base}`)).toBe(false)
      expect(dnsNameMatches(`*.${base}`, base)).toBe(false)
    },
  )
})

describe("DNS name constraints", () => {
  const cases: ReadonlyArray<readonly [string, string, boolean, boolean]> = [
    // name, constraint, in a permitted subtree, in an excluded subtree
    ["example.com", "example.com", true, true],
    ["foo.bar.example.com", "example.com", true, true],
    ["notexample.com", "example.com", false, false],
    ["example.com", "", true, true],
    ["*.example.com", "example.com", true, true],
    ["*.example.com", "foo.example.com", false, true],
    ["*.example.com", "foo.bar.example.com", false, false],
    ["*.example.com", "com", true, true],
  ]
  for (const [name, constraint, permitted, excluded] of cases) {
    it(`${name} under ${JSON.stringify(constraint)}: permitted ${permitted}, excluded ${excluded}`, () => {
      expect(dnsConstraintMatches(name, constraint, "permitted")).toBe(permitted)
      expect(dnsConstraintMatches(name, constraint, "excluded")).toBe(excluded)
    })
  }
})

describe("IP addresses", () => {
  it("parses IPv4 strictly and IPv6 in all its forms", () => {
    expect(parseIpAddress("192.0.2.1")).toEqual(Uint8Array.of(192, 0, 2, 1))
    expect(parseIpAddress("::1")).toEqual(Uint8Array.of(...new Array(15).fill(0), 1))
    expect(parseIpAddress("::ffff:192.0.2.1")).toEqual(
      Uint8Array.of(...new Array(10).fill(0), 0xff, 0xff, 192, 0, 2, 1),
    )
    expect(parseIpAddress("2001:DB8::8a2e:370:7334")).toEqual(parseIpAddress("2001:db8:0:0:0:8a2e:370:7334"))
    for (const bad of [
      "192.168.001.001",
      "0xC0A80101",
      "1.2.3",
      "256.1.1.1",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "fe80::1%eth0",
      "",
    ]) {
      expect(parseIpAddress(bad), bad).toBeUndefined()
    }
  })

  it("formats addresses canonically (RFC 5952)", () => {
    expect(formatIpAddress(parseIpAddress("2001:0db8:0000:0000:0000:0000:0000:0001")!)).toBe("2001:db8::1")
    expect(formatIpAddress(parseIpAddress("2001:db8:0:0:1:0:0:1")!)).toBe("2001:db8::1:0:0:1")
    expect(formatIpAddress(parseIpAddress("2001:db8:0:1:1:1:1:1")!)).toBe("2001:db8:0:1:1:1:1:1")
    expect(formatIpAddress(new Uint8Array(16))).toBe("::")
  })

  it.prop(
    "property: IPv6 text round-trips and agrees with the WHATWG URL serializer",
    [fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => bytes.map((byte) => (byte < 96 ? 0 : byte)))],
    ([bytes]) => {
      const text = formatIpAddress(bytes)
      expect(parseIpAddress(text)).toEqual(bytes)
      expect(`[${text}]`).toBe(new URL(`http://[${text}]/`).hostname)
    },
  )

  it("tells IP literals from DNS names", () => {
    expect(serverIdentityFromString("example.com")).toEqual({ _tag: "Dns", name: "example.com" })
    expect(serverIdentityFromString("[::1]")).toEqual({ _tag: "Ip", bytes: parseIpAddress("::1") })
    expect(serverIdentityFromString("10.0.0.1")).toEqual({ _tag: "Ip", bytes: Uint8Array.of(10, 0, 0, 1) })
  })
})
