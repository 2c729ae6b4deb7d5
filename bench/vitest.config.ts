// Vitest project for the bench's pure helpers (the bench itself is a script: `pnpm bench`).
import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "bench",
    include: ["test/**/*.test.ts"],
  },
})
