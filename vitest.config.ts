import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests each start a private tmux server; on a 2-core machine too much
    // parallelism turns timing-based checks flaky.
    maxWorkers: 2,
    // Temp dirs and tmux sockets: a per-run sandbox that fails the run if a test leaves anything
    // in it, and per-file removal of everything the helpers in test/helpers/tmp.ts created.
    globalSetup: ["test/helpers/global-setup.ts"],
    setupFiles: ["test/helpers/setup.ts"],
  },
});
