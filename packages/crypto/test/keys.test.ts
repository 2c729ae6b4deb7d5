// Tests of the key codecs against keys made by node:crypto: SPKI and PKCS#8 for EC, Ed25519,
// RSA and RSA-PSS decode to the fields node reports; malformed and unsupported keys fail with
// the right typed error; DER ECDSA signatures decode strictly.
import { createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import {
  derBitString,
  derElement,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
} from "@effect-tls/crypto/der"
import { Either } from "effect"
import * as fc from "fast-check"
import {
  ecdsaSignatureToDer,
  encodeSpki,
  namedCurveSize,
  type PrivateKeyInfo,
  type PublicKeyInfo,
  parseEcdsaSignature,
  parsePkcs8,
  parseSpki,
} from "../src/keys.js"

const der = (key: KeyObject, type: "spki" | "pkcs8"): Uint8Array =>
  new Uint8Array(key.export({ format: "der", type } as { format: "der"; type: "spki" }))

const b64url = (text: string | undefined): Uint8Array => Uint8Array.from(Buffer.from(text ?? "", "base64url"))

const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString("hex")}`)

const right = <A, E>(result: Either.Either<A, E>): A => {
  if (Either.isLeft(result)) throw new Error(`expected Right, got ${JSON.stringify(result.left)}`)
  return result.right
}

const leftTag = <A, E extends { readonly _tag: string }>(result: Either.Either<A, E>): string =>
  Either.isLeft(result) ? result.left._tag : "Right"

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ""), "hex"))

const OID = {
  ecPublicKey: "1.2.840.10045.2.1",
  p256: "1.2.840.10045.3.1.7",
  p521: "1.3.132.0.35",
  ed25519: "1.3.101.112",
  x25519: "1.3.101.110",
  rsa: "1.2.840.113549.1.1.1",
  pss: "1.2.840.113549.1.1.10",
  mgf1: "1.2.840.113549.1.1.8",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha224: "2.16.840.1.101.3.4.2.4",
}

/** An RSA-PSS key pair with parameters (@types/node types `saltLength` as a string; node takes a number). */
const rsaPssPair = (modulusLength: number, hash: string, mgf1Hash: string, saltLength: number) =>
  generateKeyPairSync("rsa-pss", {
    modulusLength,
    hashAlgorithm: hash,
    mgf1HashAlgorithm: mgf1Hash,
    saltLength: saltLength as unknown as string,
  })

const spki = (algorithm: Uint8Array, key: Uint8Array): Uint8Array => derSequence(algorithm, derBitString(key))

const rsaKeyBits = (n: bigint, e: bigint): Uint8Array => derSequence(derInteger(n), derInteger(e))

// A 512-bit odd modulus (value only matters for the checks, not for any arithmetic here).
const n512 = (1n << 511n) | 1n

describe("parseSpki with node:crypto keys", () => {
  for (const [curve, nodeCurve] of [
    ["secp256r1", "prime256v1"],
    ["secp384r1", "secp384r1"],
  ] as const) {
    it(`EC ${curve}: point equals the JWK coordinates; encodeSpki gives node's bytes`, () => {
      const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: nodeCurve })
      const bytes = der(publicKey, "spki")
      const jwk = publicKey.export({ format: "jwk" })
      const info = right(parseSpki(bytes))
      expect(info).toEqual({
        _tag: "Ec",
        curve,
        point: Uint8Array.from([0x04, ...b64url(jwk.x), ...b64url(jwk.y)]),
      })
      if (info._tag !== "Ec") throw new Error("not EC")
      expect(info.point.length).toBe(1 + 2 * namedCurveSize(curve))
      expect(encodeSpki(info)).toEqual(bytes)

      const key = right(parsePkcs8(der(privateKey, "pkcs8")))
      expect(key).toEqual({
        _tag: "Ec",
        curve,
        scalar: b64url(privateKey.export({ format: "jwk" }).d),
        publicPoint: info.point,
      })
    })
  }

  it("EC: compressed points parse, and node accepts our encoding of them", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
    const jwk = publicKey.export({ format: "jwk" })
    const y = b64url(jwk.y)
    const compressed = Uint8Array.from([0x02 | (y[31]! & 1), ...b64url(jwk.x)])
    const bytes = encodeSpki({ _tag: "Ec", curve: "secp256r1", point: compressed })
    expect(right(parseSpki(bytes))).toEqual({ _tag: "Ec", curve: "secp256r1", point: compressed })
    expect(createPublicKey({ key: Buffer.from(bytes), format: "der", type: "spki" }).export({ format: "jwk" })).toEqual(
      jwk,
    )
  })

  it("Ed25519: key equals the JWK; encodeSpki gives node's bytes; PKCS#8 seed equals d", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519")
    const bytes = der(publicKey, "spki")
    const info = right(parseSpki(bytes))
    expect(info).toEqual({ _tag: "Ed25519", key: b64url(publicKey.export({ format: "jwk" }).x) })
    if (info._tag !== "Ed25519") throw new Error("not Ed25519")
    expect(encodeSpki(info)).toEqual(bytes)
    expect(right(parsePkcs8(der(privateKey, "pkcs8")))).toEqual({
      _tag: "Ed25519",
      seed: b64url(privateKey.export({ format: "jwk" }).d),
    })
  })

  it("RSA 2048: modulus and exponent equal the JWK; PKCS#8 keeps the DER", () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
    const jwk = publicKey.export({ format: "jwk" })
    const expected = {
      _tag: "Rsa" as const,
      modulus: toBigInt(b64url(jwk.n)),
      exponent: toBigInt(b64url(jwk.e)),
      bits: 2048,
      pss: undefined,
    }
    expect(right(parseSpki(der(publicKey, "spki")))).toEqual(expected)
    const pkcs8 = der(privateKey, "pkcs8")
    expect(right(parsePkcs8(pkcs8))).toEqual({ ...expected, der: pkcs8 })
  })

  it("RSA-PSS with parameters: hash and salt length from the key", () => {
    const { publicKey, privateKey } = rsaPssPair(2048, "sha384", "sha384", 48)
    const details = publicKey.asymmetricKeyDetails!
    const info = right(parseSpki(der(publicKey, "spki")))
    expect(info).toMatchObject({ _tag: "Rsa", bits: details.modulusLength, exponent: details.publicExponent })
    expect(info._tag === "Rsa" && info.pss).toEqual({ hash: "SHA-384", saltLength: 48 })
    const key = right(parsePkcs8(der(privateKey, "pkcs8")))
    expect(key._tag === "Rsa" && key.pss).toEqual({ hash: "SHA-384", saltLength: 48 })
  })

  it("RSA-PSS without parameters: any", () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa-pss", { modulusLength: 1024 })
    const info = right(parseSpki(der(publicKey, "spki")))
    expect(info).toMatchObject({ _tag: "Rsa", bits: 1024, pss: "any" })
    expect(right(parsePkcs8(der(privateKey, "pkcs8")))).toMatchObject({ _tag: "Rsa", bits: 1024, pss: "any" })
  })

  it("RSA-PSS whose MGF1 hash differs is unsupported", () => {
    const { publicKey } = rsaPssPair(1024, "sha256", "sha384", 32)
    expect(leftTag(parseSpki(der(publicKey, "spki")))).toBe("UnsupportedAlgorithm")
  })

  it("unsupported curves and key types", () => {
    const p521 = generateKeyPairSync("ec", { namedCurve: "secp521r1" })
    expect(leftTag(parseSpki(der(p521.publicKey, "spki")))).toBe("UnsupportedAlgorithm")
    expect(leftTag(parsePkcs8(der(p521.privateKey, "pkcs8")))).toBe("UnsupportedAlgorithm")
    for (const type of ["ed448", "x25519"] as const) {
      const pair = generateKeyPairSync(type as "ed448")
      expect(leftTag(parseSpki(der(pair.publicKey, "spki")))).toBe("UnsupportedAlgorithm")
      expect(leftTag(parsePkcs8(der(pair.privateKey, "pkcs8")))).toBe("UnsupportedAlgorithm")
    }
  })
})

describe("parseSpki rejections", () => {
  const p256Point = Uint8Array.from([0x04, ...new Uint8Array(64).fill(1)])
  const ecAlgorithm = derSequence(derOid(OID.ecPublicKey), derOid(OID.p256))

  it("EC parameters: explicit and implicit curves are unsupported, absent is malformed", () => {
    const explicit = derSequence(derOid(OID.ecPublicKey), derSequence(derInteger(1n)))
    expect(leftTag(parseSpki(spki(explicit, p256Point)))).toBe("UnsupportedAlgorithm")
    const implicit = derSequence(derOid(OID.ecPublicKey), derNull())
    expect(leftTag(parseSpki(spki(implicit, p256Point)))).toBe("UnsupportedAlgorithm")
    expect(leftTag(parseSpki(spki(derSequence(derOid(OID.ecPublicKey)), p256Point)))).toBe("MalformedKey")
  })

  it("EC points of the wrong form or length are malformed", () => {
    expect(Either.isRight(parseSpki(spki(ecAlgorithm, p256Point)))).toBe(true)
    for (const point of [
      p256Point.subarray(0, 64),
      Uint8Array.from([0x05, ...p256Point.subarray(1)]),
      Uint8Array.from([0x02, ...new Uint8Array(64)]),
      Uint8Array.from([0x03, ...new Uint8Array(31)]),
      new Uint8Array(),
    ]) {
      expect(leftTag(parseSpki(spki(ecAlgorithm, point)))).toBe("MalformedKey")
    }
  })

  it("Ed25519: parameters must be absent and the key 32 bytes", () => {
    const key = new Uint8Array(32).fill(3)
    expect(Either.isRight(parseSpki(spki(derSequence(derOid(OID.ed25519)), key)))).toBe(true)
    expect(leftTag(parseSpki(spki(derSequence(derOid(OID.ed25519), derNull()), key)))).toBe("MalformedKey")
    expect(leftTag(parseSpki(spki(derSequence(derOid(OID.ed25519)), key.subarray(1))))).toBe("MalformedKey")
  })

  it("rsaEncryption: parameters must be NULL", () => {
    const key = rsaKeyBits(n512, 65537n)
    expect(right(parseSpki(spki(derSequence(derOid(OID.rsa), derNull()), key)))).toMatchObject({ bits: 512 })
    expect(leftTag(parseSpki(spki(derSequence(derOid(OID.rsa)), key)))).toBe("MalformedKey")
    expect(leftTag(parseSpki(spki(derSequence(derOid(OID.rsa), derInteger(0n)), key)))).toBe("MalformedKey")
  })

  it("RSA modulus and exponent checks", () => {
    const algorithm = derSequence(derOid(OID.rsa), derNull())
    const parse = (n: bigint, e: bigint) => leftTag(parseSpki(spki(algorithm, rsaKeyBits(n, e))))
    expect(parse(n512, 3n)).toBe("Right")
    expect(parse((1n << 16383n) | 1n, 65537n)).toBe("Right")
    expect(parse(n512 + 1n, 65537n)).toBe("MalformedKey") // even
    expect(parse(-n512, 65537n)).toBe("MalformedKey") // negative
    expect(parse(n512, 1n)).toBe("MalformedKey")
    expect(parse(n512, 65536n)).toBe("MalformedKey") // even exponent
    expect(parse(n512, n512)).toBe("MalformedKey") // e >= n
    expect(parse(n512, (1n << 33n) + 1n)).toBe("UnsupportedAlgorithm")
    expect(parse((1n << 510n) | 1n, 65537n)).toBe("UnsupportedAlgorithm") // 511 bits
    expect(parse((1n << 16384n) | 1n, 65537n)).toBe("UnsupportedAlgorithm") // 16385 bits
    // trailing bytes inside the encapsulated RSAPublicKey
    const extra = spki(algorithm, Uint8Array.from([...rsaKeyBits(n512, 3n), 0x05, 0x00]))
    expect(leftTag(parseSpki(extra))).toBe("MalformedKey")
  })

  it("RSA-PSS parameter forms", () => {
    const key = rsaKeyBits(n512, 65537n)
    const hashAlg = (oid: string, withNull: boolean) =>
      withNull ? derSequence(derOid(oid), derNull()) : derSequence(derOid(oid))
    const params = (...fields: Array<Uint8Array>) => derSequence(derOid(OID.pss), derSequence(...fields))
    const explicit = (n: number, body: Uint8Array) => derElement(0xa0 | n, body)
    const pss = (algorithm: Uint8Array) => {
      const result = parseSpki(spki(algorithm, key))
      return Either.isRight(result) && result.right._tag === "Rsa" ? result.right.pss : leftTag(result)
    }
    // empty parameters: every field at its DEFAULT (SHA-1, MGF1-SHA-1, 20)
    expect(pss(params())).toEqual({ hash: "SHA-1", saltLength: 20 })
    // hash parameters NULL or absent are both accepted (RFC 4055 section 2.1)
    const full = (withNull: boolean, salt: bigint) =>
      params(
        explicit(0, hashAlg(OID.sha256, withNull)),
        explicit(1, derSequence(derOid(OID.mgf1), hashAlg(OID.sha256, withNull))),
        explicit(2, derInteger(salt)),
      )
    expect(pss(full(true, 32n))).toEqual({ hash: "SHA-256", saltLength: 32 })
    expect(pss(full(false, 0n))).toEqual({ hash: "SHA-256", saltLength: 0 })
    expect(pss(params(explicit(0, hashAlg(OID.sha224, true))))).toBe("UnsupportedAlgorithm")
    expect(pss(params(explicit(0, hashAlg(OID.sha256, true))))).toBe("UnsupportedAlgorithm") // MGF1 stays SHA-1
    expect(pss(params(explicit(1, derSequence(derOid(OID.sha256), hashAlg(OID.sha256, true)))))).toBe(
      "UnsupportedAlgorithm",
    )
    expect(pss(params(explicit(3, derInteger(2n))))).toBe("MalformedKey")
    expect(pss(params(explicit(3, derInteger(1n))))).toEqual({ hash: "SHA-1", saltLength: 20 })
    expect(pss(params(explicit(2, derInteger(-1n))))).toBe("MalformedKey")
    expect(pss(params(explicit(2, derInteger(20n)), explicit(0, hashAlg(OID.sha256, true))))).toBe("MalformedKey") // order
  })

  it("unknown algorithms, trailing bytes and garbage", () => {
    expect(leftTag(parseSpki(spki(derSequence(derOid("1.2.3.4")), new Uint8Array(4))))).toBe("UnsupportedAlgorithm")
    const good = spki(derSequence(derOid(OID.ed25519)), new Uint8Array(32))
    expect(leftTag(parseSpki(Uint8Array.from([...good, 0])))).toBe("MalformedKey")
    expect(leftTag(parseSpki(new Uint8Array()))).toBe("MalformedKey")
    expect(leftTag(parseSpki(hex("3003020101")))).toBe("MalformedKey")
  })
})

describe("parsePkcs8 structure", () => {
  const ecAlgorithm = derSequence(derOid(OID.ecPublicKey), derOid(OID.p256))
  const pkcs8 = (version: bigint, algorithm: Uint8Array, privateKey: Uint8Array, ...rest: Array<Uint8Array>) =>
    derSequence(derInteger(version), algorithm, derOctetString(privateKey), ...rest)
  const ecPrivate = (d: Uint8Array, ...rest: Array<Uint8Array>) =>
    derSequence(derInteger(1n), derOctetString(d), ...rest)
  const parse = (bytes: Uint8Array): PrivateKeyInfo | string => {
    const result = parsePkcs8(bytes)
    return Either.isRight(result) ? result.right : result.left._tag
  }

  it("EC scalars shorter than the curve are left-padded; zero and longer are malformed", () => {
    expect(parse(pkcs8(0n, ecAlgorithm, ecPrivate(hex("0102"))))).toEqual({
      _tag: "Ec",
      curve: "secp256r1",
      scalar: Uint8Array.from([...new Uint8Array(30), 1, 2]),
      publicPoint: undefined,
    })
    expect(parse(pkcs8(0n, ecAlgorithm, ecPrivate(new Uint8Array(32))))).toBe("MalformedKey")
    expect(parse(pkcs8(0n, ecAlgorithm, ecPrivate(new Uint8Array(33).fill(1))))).toBe("MalformedKey")
    expect(parse(pkcs8(0n, ecAlgorithm, ecPrivate(new Uint8Array())))).toBe("MalformedKey")
  })

  it("ECPrivateKey: version 1, matching curve parameters, valid public point", () => {
    const d = new Uint8Array(32).fill(7)
    const point = Uint8Array.from([0x04, ...new Uint8Array(64).fill(2)])
    const withParams = ecPrivate(d, derElement(0xa0, derOid(OID.p256)), derElement(0xa1, derBitString(point)))
    expect(parse(pkcs8(0n, ecAlgorithm, withParams))).toMatchObject({ _tag: "Ec", publicPoint: point })
    const otherCurve = ecPrivate(d, derElement(0xa0, derOid("1.3.132.0.34")))
    expect(parse(pkcs8(0n, ecAlgorithm, otherCurve))).toBe("MalformedKey")
    const badPoint = ecPrivate(d, derElement(0xa1, derBitString(point.subarray(1))))
    expect(parse(pkcs8(0n, ecAlgorithm, badPoint))).toBe("MalformedKey")
    const version2 = derSequence(derInteger(2n), derOctetString(d))
    expect(parse(pkcs8(0n, ecAlgorithm, version2))).toBe("MalformedKey")
  })

  it("versions, attributes, public keys and trailing bytes", () => {
    const ed = derSequence(derOid(OID.ed25519))
    const seed = derOctetString(new Uint8Array(32).fill(5))
    expect(parse(pkcs8(0n, ed, seed))).toEqual({ _tag: "Ed25519", seed: new Uint8Array(32).fill(5) })
    expect(parse(pkcs8(0n, ed, seed, derElement(0xa0, derSequence())))).toMatchObject({ _tag: "Ed25519" })
    const publicKey = derElement(0x81, Uint8Array.from([0, ...new Uint8Array(32)]))
    expect(parse(pkcs8(1n, ed, seed, publicKey))).toMatchObject({ _tag: "Ed25519" })
    expect(parse(pkcs8(0n, ed, seed, publicKey))).toBe("MalformedKey")
    expect(parse(pkcs8(2n, ed, seed))).toBe("MalformedKey")
    expect(parse(pkcs8(0n, ed, derOctetString(new Uint8Array(31))))).toBe("MalformedKey")
    expect(parse(pkcs8(0n, ed, new Uint8Array(32)))).toBe("MalformedKey") // seed not wrapped
    expect(parse(pkcs8(0n, ed, Uint8Array.from([...seed, 0x05, 0x00])))).toBe("MalformedKey")
  })

  it("RSA private keys: two primes only", () => {
    const rsa = derSequence(derOid(OID.rsa), derNull())
    const body = (version: bigint) =>
      derSequence(
        derInteger(version),
        derInteger(n512),
        derInteger(65537n),
        ...Array.from({ length: 6 }, () => derInteger(5n)),
      )
    const bytes = pkcs8(0n, rsa, body(0n))
    expect(parse(bytes)).toEqual({
      _tag: "Rsa",
      modulus: n512,
      exponent: 65537n,
      bits: 512,
      pss: undefined,
      der: bytes,
    })
    expect(parse(pkcs8(0n, rsa, body(1n)))).toBe("UnsupportedAlgorithm")
  })
})

describe("ECDSA signatures", () => {
  for (const [curve, nodeCurve, hash] of [
    ["secp256r1", "prime256v1", "sha256"],
    ["secp384r1", "secp384r1", "sha384"],
  ] as const) {
    it(`${curve}: node's DER signatures decode to r||s that node verifies, and re-encode`, () => {
      const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: nodeCurve })
      for (let i = 0; i < 20; i++) {
        const message = Buffer.from(`message ${i}`)
        const signature = new Uint8Array(sign(hash, message, { key: privateKey, dsaEncoding: "der" }))
        const rs = right(parseEcdsaSignature(signature, curve))
        expect(rs.length).toBe(2 * namedCurveSize(curve))
        expect(verify(hash, message, { key: publicKey, dsaEncoding: "ieee-p1363" }, rs)).toBe(true)
        expect(ecdsaSignatureToDer(rs)).toEqual(signature)
      }
    })
  }

  it("rejects non-DER and out-of-range scalars", () => {
    const sig = (r: string, s: string) => {
      const body = `${r}${s}`.replace(/\s+/g, "")
      return hex(`30 ${(body.length / 2).toString(16).padStart(2, "0")} ${body}`)
    }
    const one = "020101"
    expect(right(parseEcdsaSignature(sig(one, one), "secp256r1"))).toEqual(
      Uint8Array.from([...new Uint8Array(31), 1, ...new Uint8Array(31), 1]),
    )
    const cases = [
      sig("020100", one), // zero
      sig("020180", one), // negative
      sig(one, "0201ff"), // negative
      sig("0202007f", one), // non-minimal
      sig(`0221 01${"00".repeat(32)}`, one), // 33 bytes
      sig(`0222 0080${"00".repeat(32)}`, one), // 33 bytes after the sign octet
      hex(`30 81 06 ${one}${one}`), // long-form length below 128
      hex(`30 07 ${one}${one}00`), // garbage inside
      hex(`30 06 ${one}${one} 00`), // trailing
      hex(`30 03 ${one}`), // one scalar
      hex(`31 06 ${one}${one}`), // SET
      new Uint8Array(),
    ]
    for (const bytes of cases) expect(leftTag(parseEcdsaSignature(bytes, "secp256r1"))).toBe("BadSignature")
    // a P-384-sized scalar fits P-384 but not P-256
    const wide = sig(`0230 01${"00".repeat(47)}`, one)
    expect(leftTag(parseEcdsaSignature(wide, "secp256r1"))).toBe("BadSignature")
    expect(leftTag(parseEcdsaSignature(wide, "secp384r1"))).toBe("Right")
    // the high bit set needs the 0x00 sign octet
    expect(right(parseEcdsaSignature(sig(`0221 00${"ff".repeat(32)}`, one), "secp256r1")).subarray(0, 32)).toEqual(
      new Uint8Array(32).fill(0xff),
    )
  })

  it.prop(
    "r||s round-trips through DER",
    [
      fc.constantFrom("secp256r1" as const, "secp384r1" as const),
      fc.uint8Array({ minLength: 48, maxLength: 48 }),
      fc.uint8Array({ minLength: 48, maxLength: 48 }),
    ],
    ([curve, r, s]) => {
      const size = namedCurveSize(curve)
      r[size - 1] = r[size - 1]! | 1 // nonzero
      s[size - 1] = s[size - 1]! | 1
      const rs = Uint8Array.from([...r.subarray(0, size), ...s.subarray(0, size)])
      expect(right(parseEcdsaSignature(ecdsaSignatureToDer(rs), curve))).toEqual(rs)
    },
  )
})

describe("key decoders never throw", () => {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  const rsa = rsaPssPair(1024, "sha256", "sha256", 32)
  const sources = [
    der(publicKey, "spki"),
    der(privateKey, "pkcs8"),
    der(rsa.publicKey, "spki"),
    der(rsa.privateKey, "pkcs8"),
  ]
  const signature = new Uint8Array(sign("sha256", Buffer.from("x"), { key: privateKey, dsaEncoding: "der" }))

  const isTyped = (result: Either.Either<unknown, { readonly _tag: string }>): boolean =>
    Either.isRight(result) || ["MalformedKey", "UnsupportedAlgorithm", "BadSignature"].includes(result.left._tag)

  it.prop("on random bytes", [fc.uint8Array({ maxLength: 200 })], ([input]) => {
    expect(isTyped(parseSpki(input))).toBe(true)
    expect(isTyped(parsePkcs8(input))).toBe(true)
    expect(isTyped(parseEcdsaSignature(input, "secp384r1"))).toBe(true)
  })

  it.prop(
    "on mutations of real keys and signatures",
    [
      fc.constantFrom(...sources, signature),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
      fc.nat(),
    ],
    ([source, edits, cut]) => {
      const input = source.slice(0, source.length - (cut % 4))
      for (const [position, value] of edits) input[position % input.length] = value
      const parsed: Array<Either.Either<PublicKeyInfo | PrivateKeyInfo | Uint8Array, { readonly _tag: string }>> = [
        parseSpki(input),
        parsePkcs8(input),
        parseEcdsaSignature(input, "secp256r1"),
      ]
      for (const result of parsed) expect(isTyped(result)).toBe(true)
    },
    { fastCheck: { numRuns: 500 } },
  )
})
