// Placeholder until the backend presets land their start-up preparation (trust pre-seeding).
import type { Agent } from "../config/load.js";

export async function prepareAgentHome(_agent: Agent): Promise<void> {}
