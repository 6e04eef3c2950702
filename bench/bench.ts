// Entry point of `npm run bench` (compiled to bench/dist/bench.js): run main() and exit with its
// code. Everything the run creates is owned and removed by main() itself.
import { main } from "./main.js";

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    console.error(`\nbench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
