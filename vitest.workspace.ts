// The vitest workspace: one project per package (see each packages/*/vitest.config.ts).
export default ["packages/*"]
