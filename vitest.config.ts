import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests each start a private tmux server; on a 2-core machine too much
    // parallelism turns timing-based checks flaky.
    maxWorkers: 2,
  },
});
