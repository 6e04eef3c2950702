// The opencode plugin of the signal tap. It runs INSIDE opencode (Bun), loaded for one agent's run
// through OPENCODE_CONFIG_CONTENT's `plugin` list (launch.ts), so nothing is written to the user's
// opencode config. It appends one JSON line per bus event that tells what the agent is doing to
// the file named by AGENTS_OPENCODE_SIGNALS, and nothing else: no network, no reply to opencode,
// never a throw (a failing plugin must not take the agent down). Node built-ins only: opencode
// resolves no package for a file:// plugin.
//
// Events kept (opencode 1.18.33 names): session.status ({type: busy|retry|idle}; retry carries
// attempt, message, next), session.idle, session.error (name, data.message, statusCode,
// responseHeaders, responseBody), session.created/updated (totals: cost, tokens), message.updated
// of assistant messages (model, tokens, cost, finish, error), permission.* and question.* (the agent
// waits for an answer). The streaming part events (message.part.*) are left out: they fire per token.
import { appendFileSync } from "node:fs";

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Long error bodies are cut: the reader needs their start (the error type, resets_at). */
const MAX_BODY = 4096;

function compactError(e: unknown): unknown {
  if (!isObj(e)) return e;
  const data = isObj(e.data) ? { ...e.data } : undefined;
  if (data && typeof data.responseBody === "string" && data.responseBody.length > MAX_BODY) {
    data.responseBody = data.responseBody.slice(0, MAX_BODY);
  }
  return data ? { name: e.name, data } : { name: e.name };
}

function compactSession(info: unknown): unknown {
  if (!isObj(info)) return info;
  const { id, parentID, directory, cost, tokens, time, model } = info;
  return { id, parentID, directory, cost, tokens, time, model };
}

function compactMessage(info: unknown): unknown {
  if (!isObj(info)) return info;
  const { id, sessionID, parentID, role, providerID, modelID, cost, tokens, time, finish, error } = info;
  return { id, sessionID, parentID, role, providerID, modelID, cost, tokens, time, finish, error: error === undefined ? undefined : compactError(error) };
}

/** The line to record for one event, or undefined for an event the tap does not keep. */
function tapRecord(event: unknown, at: number): Json | undefined {
  if (!isObj(event) || typeof event.type !== "string") return undefined;
  const type = event.type;
  const p = isObj(event.properties) ? event.properties : {};
  switch (type) {
    case "session.status":
    case "session.idle":
      return { at, type, properties: p };
    case "session.error":
      return { at, type, properties: { sessionID: p.sessionID, error: compactError(p.error) } };
    case "session.created":
    case "session.updated":
      return { at, type, properties: { sessionID: p.sessionID, info: compactSession(p.info) } };
    case "message.updated": {
      const info = isObj(p.info) ? p.info : {};
      if (info.role !== "assistant") return undefined;
      return { at, type, properties: { sessionID: p.sessionID, info: compactMessage(info) } };
    }
  }
  if (type.startsWith("permission.") || type.startsWith("question.")) {
    const { id, sessionID, permission, type: kind } = p;
    return { at, type, properties: { id, sessionID, permission, type: kind } };
  }
  return undefined;
}

/**
 * opencode 1.18.33 calls every export of a plugin module as a plugin and refuses a module with an
 * export that is not a function ("Plugin export is not a function"): hence the only export.
 */
export const AgentsSignalTap = async (): Promise<Json> => {
  const file = process.env.AGENTS_OPENCODE_SIGNALS;
  if (!file) return {};
  const write = (rec: Json) => {
    try {
      appendFileSync(file, JSON.stringify(rec) + "\n");
    } catch {
      // log_dir gone or full: the screen still tells the watchdog what the agent does
    }
  };
  // A start line: the reader learns the tap is live, and a restart shows as a new pid.
  write({ at: Date.now(), type: "agents.tap", properties: { pid: process.pid } });
  return {
    event: async ({ event }: { event: unknown }) => {
      try {
        const rec = tapRecord(event, Date.now());
        if (rec) write(rec);
      } catch {
        // never let the tap throw into opencode
      }
    },
  };
};
