// Vitest project for @effect-tls/crypto.
import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "crypto",
    include: ["test/**/*.test.ts"],
    // Vector suites do thousands of curve operations per test; a loaded 2-core machine needs room.
    testTimeout: 60_000,
  },
})
