#!/usr/bin/env bash
# Isolated end-to-end proof: the demo fleet goes up, reports every agent running, and comes down
# leaving nothing behind, all on a private tmux server in its own socket dir, in a temp copy of
# the project. Never touches the user's tmux server or the repo's own state. Prints PASS or FAIL.
#   usage: bash smoke.sh        (after `npm ci`, which builds bin/agents)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
AGENTS=("$ROOT/bin/agents")

# A TMUX/TMUX_PANE inherited from the caller's tmux would point every tmux call at that server.
unset TMUX TMUX_PANE
TMUX_TMPDIR="$(mktemp -d /tmp/agents-smoke-tmux.XXXXXX)"
export TMUX_TMPDIR
export AGENTS_TMUX_SOCKET="agents-smoke-$$"
PROJECT="$(mktemp -d /tmp/agents-smoke-proj.XXXXXX)"
PREFIX="demo-"

cleanup() {
  local rc=$?
  # Only our own server: -L with our socket name, inside our own TMUX_TMPDIR.
  tmux -L "$AGENTS_TMUX_SOCKET" kill-server >/dev/null 2>&1 || true
  rm -rf "$PROJECT" "$TMUX_TMPDIR"
  if [ "$rc" -eq 0 ]; then echo "smoke: PASS"; else echo "smoke: FAIL" >&2; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "smoke: $*" >&2
  exit 1
}

command -v tmux >/dev/null || fail "tmux is not installed"
[ -f "$ROOT/dist/cli.js" ] || fail "dist/ is missing: run npm ci (or npm run build) first"

cp "$ROOT/agents.example.toml" "$PROJECT/agents.toml"
cp -R "$ROOT/examples" "$ROOT/prompts" "$PROJECT/"
cd "$PROJECT"

sessions() { tmux -L "$AGENTS_TMUX_SOCKET" list-sessions -F '#{session_name}' 2>/dev/null || true; }

echo "smoke: project $PROJECT, tmux -L $AGENTS_TMUX_SOCKET (TMUX_TMPDIR=$TMUX_TMPDIR)"
"${AGENTS[@]}" up || fail "agents up exited $?"

# Every agent and service running and the watchdog alive with a heartbeat; poll, the watchdog's
# first tick takes a moment.
check_status() {
  "${AGENTS[@]}" status --json | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const j = JSON.parse(s);
      const bad = j.rows.filter((r) => r.state !== "running").map((r) => `${r.name}=${r.state}`);
      if (!j.watchdog.running || j.watchdog.heartbeatAgeS === undefined) bad.push("watchdog not running yet");
      if (j.rows.length === 0) bad.push("no agents");
      if (bad.length) { console.error(bad.join(", ")); process.exit(1); }
    });'
}
deadline=$((SECONDS + 30))
errfile="$TMUX_TMPDIR/status.err"
until check_status 2>"$errfile"; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    cat "$errfile" >&2
    "${AGENTS[@]}" status >&2 || true
    fail "fleet not fully running after 30 s"
  fi
  sleep 0.5
done
"${AGENTS[@]}" status

expected=$(grep -cE '^\[\[(agent|service)\]\]' agents.toml)
running=$("${AGENTS[@]}" status | grep -cE '^[A-Za-z0-9_-]+ .* running( |$)' || true)
# +1: the watchdog's row.
[ "$running" -eq $((expected + 1)) ] || fail "status shows $running running rows, expected $((expected + 1))"

# A session whose name extends a fleet session's name must survive down (tmux prefix-matches
# bare targets; down must use exact ones).
tmux -L "$AGENTS_TMUX_SOCKET" new-session -d -s "${PREFIX}builder2" "sleep 300"

"${AGENTS[@]}" down || fail "agents down exited $?"
left=$(sessions | grep "^${PREFIX}" | grep -vx "${PREFIX}builder2" || true)
[ -z "$left" ] || fail "sessions left after down: $left"
sessions | grep -qx "${PREFIX}builder2" || fail "down killed the decoy session ${PREFIX}builder2"
echo "smoke: down left no fleet session; the decoy ${PREFIX}builder2 survived"
