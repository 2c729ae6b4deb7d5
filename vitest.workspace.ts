// The vitest workspace: one project per package (see each packages/*/vitest.config.ts), and the bench's helpers.
export default ["packages/*", "bench"]
