/**
 * Byte-level mutations for the fuzz targets, as data (so fast-check prints and shrinks
 * them): bit flips, byte overwrites with boundary values, insertions, deletions,
 * duplicated runs, truncation, and nudges of length-like big-endian fields. Positions are
 * free naturals taken modulo the length of what they apply to, so one operation list fits
 * inputs of any size. Seeds (valid encodings) mutated this way reach deep into a decoder;
 * random bytes alone rarely get past the first length check.
 */
import * as fc from "fast-check"

/** One mutation of a byte string. */
export type ByteOp =
  | { readonly op: "flip"; readonly at: number; readonly bit: number }
  | { readonly op: "set"; readonly at: number; readonly value: number }
  | { readonly op: "insert"; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: "delete"; readonly at: number; readonly length: number }
  | { readonly op: "duplicate"; readonly at: number; readonly length: number }
  | { readonly op: "truncate"; readonly at: number }
  | { readonly op: "length"; readonly at: number; readonly width: number; readonly delta: number }

/** Byte values that sit on boundaries of lengths, tags and flags. */
const interesting = fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x04, 0x1f, 0x20, 0x30, 0x7f, 0x80, 0x81, 0x82, 0xfe, 0xff)

/** One mutation. */
export const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("set" as const),
      at: fc.nat(),
      value: fc.oneof(interesting, fc.integer({ min: 0, max: 255 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("insert" as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("duplicate" as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 64 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("length" as const),
      at: fc.nat(),
      width: fc.integer({ min: 1, max: 3 }),
      delta: fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constantFrom(-0x80, 0x80, -0x100, 0x100, 0x8000, 0x10000)),
    }),
  },
)

const replace = (bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array => {
  const out = new Uint8Array(bytes.length - remove + insert.length)
  out.set(bytes.subarray(0, at))
  out.set(insert, at)
  out.set(bytes.subarray(at + remove), at + insert.length)
  return out
}

/** `bytes` with `op` applied (a new array; `bytes` is left as it is). */
export const applyByteOp = (bytes: Uint8Array, op: ByteOp): Uint8Array => {
  const n = bytes.length
  switch (op.op) {
    case "flip":
    case "set": {
      if (n === 0) return bytes
      const out = bytes.slice()
      const at = op.at % n
      out[at] = op.op === "flip" ? out[at]! ^ (1 << op.bit) : op.value
      return out
    }
    case "insert":
      return replace(bytes, op.at % (n + 1), 0, op.bytes)
    case "delete": {
      if (n === 0) return bytes
      const at = op.at % n
      return replace(bytes, at, Math.min(op.length, n - at), new Uint8Array(0))
    }
    case "duplicate": {
      if (n === 0) return bytes
      const at = op.at % n
      return replace(bytes, at, 0, bytes.slice(at, Math.min(n, at + op.length)))
    }
    case "truncate":
      return bytes.slice(0, op.at % (n + 1))
    case "length": {
      if (n < op.width) return bytes
      const at = op.at % (n - op.width + 1)
      let value = 0
      for (let i = 0; i < op.width; i++) value = value * 256 + bytes[at + i]!
      const modulus = 256 ** op.width
      value = (((value + op.delta) % modulus) + modulus) % modulus
      const out = bytes.slice()
      for (let i = op.width - 1; i >= 0; i--) {
        out[at + i] = value % 256
        value = Math.floor(value / 256)
      }
      return out
    }
  }
}

/** `bytes` with every op applied in order. */
export const applyByteOps = (bytes: Uint8Array, ops: ReadonlyArray<ByteOp>): Uint8Array =>
  ops.reduce(applyByteOp, bytes)

/** A list of up to `max` mutations (at least one). */
export const byteOps = (max = 4): fc.Arbitrary<ReadonlyArray<ByteOp>> =>
  fc.array(byteOp, { minLength: 1, maxLength: max })

/** Inputs made by mutating a seed from `seeds` one to `max` times. */
export const mutated = (seeds: fc.Arbitrary<Uint8Array>, max = 4): fc.Arbitrary<Uint8Array> =>
  fc.tuple(seeds, byteOps(max)).map(([seed, ops]) => applyByteOps(seed, ops))

/** Inputs for a decoder: mostly mutated seeds, sometimes the seeds unchanged, sometimes random bytes. */
export const decoderInput = (seeds: fc.Arbitrary<Uint8Array>, maxRandomLength = 256): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    { weight: 6, arbitrary: mutated(seeds) },
    { weight: 1, arbitrary: seeds },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: maxRandomLength }) },
  )

/** A way to cut `length` bytes into consecutive pieces: sorted distinct offsets inside it. */
export const cutOffsets = (offsets: ReadonlyArray<number>, length: number): ReadonlyArray<number> =>
  length < 2 ? [] : [...new Set(offsets.map((o) => 1 + (o % (length - 1))))].sort((a, b) => a - b)

/** `bytes` cut at `offsets` (sorted, inside `bytes`). */
export const cutAt = (bytes: Uint8Array, offsets: ReadonlyArray<number>): ReadonlyArray<Uint8Array> => {
  const pieces: Array<Uint8Array> = []
  let from = 0
  for (const offset of [...offsets, bytes.length]) {
    pieces.push(bytes.subarray(from, offset))
    from = offset
  }
  return pieces
}

/** Delivery chunking: free offsets, made to fit the bytes by `cutOffsets`. */
export const chunking: fc.Arbitrary<ReadonlyArray<number>> = fc.oneof(
  { weight: 2, arbitrary: fc.constant([]) },
  { weight: 3, arbitrary: fc.array(fc.nat(), { maxLength: 8 }) },
  { weight: 1, arbitrary: fc.array(fc.nat(), { maxLength: 40 }) },
)

/** True when the two byte strings are equal. */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Hex of at most `max` bytes, for failure messages. */
export const hexOf = (bytes: Uint8Array, max = 64): string =>
  Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, "0")).join("") +
  (bytes.length > max ? `... (${bytes.length} bytes)` : "")
