// Vitest project for @effect-tls/crypto.
import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "crypto",
    include: ["test/**/*.test.ts"],
  },
})
