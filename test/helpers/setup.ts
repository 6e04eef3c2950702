// vitest setupFile: runs in every test file before its own code. Registered first, so this
// afterAll runs last, after the file's own hooks have stopped servers and fleets.
import { afterAll } from "vitest";
import { cleanupTracked } from "./tmp.js";

afterAll(cleanupTracked);
