#!/usr/bin/env bash
# A dependency-free stand-in for an AI coding CLI, for the demo fleet and the test suite.
# It prints "working... HH:MM:SS" while busy and a "demo> " prompt when idle, and obeys typed
# commands so tests can drive every state the watchdog reads:
#   /work  /quiet  /wait <iso>  /limit <banner text>  /fatal <text>  /exit [code]
# Any other line is taken as a prompt: it is acknowledged (without echoing it, so a ping can be
# seen to have left the input line) and work resumes.
# Env: DEMO_MODE=work|quiet (start state), DEMO_EXIT=<code> (exit at once: a crash-looping agent),
#      DEMO_TICK=<seconds between working lines> (default 2).
model=""
while [ $# -gt 1 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --resume) echo "demo: resuming session $2"; shift 2 ;;
    *) shift ;;
  esac
done
kickoff="${1:-}"
if [ -n "${DEMO_EXIT:-}" ]; then
  echo "demo: exiting at once with status $DEMO_EXIT"
  exit "$DEMO_EXIT"
fi
echo "demo agent ready (model=${model:-default})"
[ -n "$kickoff" ] && printf 'kickoff: %s\n' "$(printf '%s\n' "$kickoff" | head -n 1)"
mode="${DEMO_MODE:-work}"
tick="${DEMO_TICK:-2}"
prompt() { printf 'demo> '; }
if [ "$mode" = quiet ]; then prompt; else echo "working... $(date +%H:%M:%S)"; fi
while :; do
  if IFS= read -r -t "$tick" line; then
    case "$line" in
      /work) mode=work ;;
      /quiet) mode=quiet; prompt ;;
      /wait\ *) echo "WAITING-UNTIL: ${line#/wait }"; mode=quiet ;;
      /limit\ *) echo "${line#/limit }"; mode=quiet ;;
      /fatal\ *) echo "${line#/fatal }"; mode=quiet ;;
      /exit*) code="${line#/exit}"; code="${code# }"; echo "demo: exiting with status ${code:-0}"; exit "${code:-0}" ;;
      "") [ "$mode" = quiet ] && prompt ;;
      *) echo "demo: message received (${#line} chars)"; mode=work ;;
    esac
  elif [ "$mode" = work ]; then
    echo "working... $(date +%H:%M:%S)"
  fi
done
