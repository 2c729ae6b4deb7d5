/**
 * A source rule: no function literal is stored straight into a property
 * (`this.write = (data) => ...`, `inbox.onEnd = function () {...}`) inside a function. On
 * Node 20 (V8 11.3) such a closure, with everything it captures, survived every minor GC
 * until the next full collection: a closed connection's objects were promoted to the old
 * generation instead of dying young (see the `Connection` class in
 * packages/transport/src/TlsConnection.ts). A class field (`write = (data) => ...`), an
 * object literal (`{ write: (data) => ... }`) or a local (`const write = ...; this.write =
 * write`) does not do that. Top-level statements run once and are left alone.
 */
import { describe, expect, it } from "@effect/vitest"
import { indentedCodeLines, libraryPackages, violations } from "./librarySources.js"

/** `target.name = ` (or `??=`) followed by an arrow function or a `function` expression. */
const storedLiteral =
  /[\w$)\]]\.[A-Za-z_$][\w$]*\s*(\?\?)?=\s*(async\s+)?(function\b|(\([^()]*\)|[A-Za-z_$][\w$]*)\s*(:[^=]+)?=>)/

/** Lines inside a function that store a function literal into a property. */
const closureStores = (source: string): Array<number> => indentedCodeLines(source, (line) => storedLiteral.test(line))

describe("function literals are not stored straight into properties", () => {
  it("finds a function literal stored into a property, and not the forms that are fine", () => {
    const source = [
      "class Connection {",
      "  readonly write = (data: Uint8Array) => this.pump.drive(data)",
      "  constructor(pump: Pump) {",
      "    this.read = (data) => pump.drive(data)",
      "    this.write2 = write",
      "    const close = () => pump.close()",
      "    this.close = close",
      "  }",
      "}",
      "const make = (inbox: Inbox) => {",
      "  inbox.onEnd = function () {}",
      "  inbox.onData ??= async (chunk: Uint8Array): Promise<void> => {}",
      "  return { end: () => inbox.end() }",
      "}",
      "exports.once = () => 1",
      "  // this.f = () => 1 in a comment",
    ].join("\n")
    expect(closureStores(source)).toEqual([4, 11, 12])
  })

  for (const pkg of libraryPackages) {
    it(`packages/${pkg}/src stores no function literal into a property inside a function`, () => {
      expect(violations(pkg, closureStores)).toEqual([])
    })
  }
})
