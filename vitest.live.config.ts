import { defineConfig } from "vitest/config";

// The live end-to-end run drives the real agent CLIs for minutes; it has its own config so the
// default `npm test` (test/**/*.test.ts) stays fast and offline-safe.
export default defineConfig({
  test: {
    include: ["test/live/**/*.e2e.ts"],
    testTimeout: 15 * 60_000,
    hookTimeout: 10 * 60_000,
    // One CLI at a time: they are heavy, and their timing is what is being checked.
    maxWorkers: 1,
    fileParallelism: false,
  },
});
