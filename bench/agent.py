"""The bench's busy fake agent (bench/README.md): one small python3 process per pane.

    python3 agent.py spin   <session>   title spinner every 0.25 s, a line every 0.5 s
    python3 agent.py stream <session>   a line every 2-5 s (jittered), no title changes
    python3 agent.py lat    <session>   like spin, and obeys <cwd>/<session>.trigger

python3, not a shell loop: the pane's command must read as a running program, never as a shell
the agent exited to. Every agent starts at a random phase so a fleet does not fire in step.

A trigger file holds `limit`, `fatal` or `exit`. The agent deletes it, repaints its screen the
way Claude Code does (text taken from ../shared/captures, on the bottom rows), writes the epoch ms at which it did so
to <cwd>/<session>.fired, then stays quiet (limit, fatal) or exits with status 1 (exit).
"""
import os
import random
import signal
import sys
import time

SPIN = "\u25d0\u25d3\u25d1\u25d2"  # the half-disc glyphs Claude Code spins in its title
IDLE_TITLE = "\u2733 Claude Code"  # its idle title

# claude/rate_limit-event.txt (the status and input rows), reset time and all.
LIMIT_SCREEN = [
    "\u276f Summarize what this repository contains.",
    "  \u23bf  You've hit your 5-hour limit \u00b7 resets 7:50pm (UTC)",
    "",
    "\u2500" * 100,
    "\u276f ",
    "\u2500" * 100,
    "  \u26a0 Usage limit reached \u00b7 limit resets 7:50pm",
]
# claude/auth_error-final.txt.
FATAL_SCREEN = [
    "\u276f Summarize what this repository contains.",
    "  \u23bf  Invalid API key \u00b7 Fix external API key",
    "\u2500" * 100,
    "\u276f Once fixed, resend your message",
    "\u2500" * 100,
]


def out(s):
    sys.stdout.write(s)
    sys.stdout.flush()


def title(t):
    out("\033]2;" + t + "\007")


def line(session, n):
    out("working... %s line %d %s\n" % (session, n, time.strftime("%H:%M:%S")))


def fired(session):
    tmp = "%s.fired.tmp" % session
    with open(tmp, "w") as f:
        f.write("%d\n" % int(time.time() * 1000))
    os.replace(tmp, "%s.fired" % session)


def repaint(rows):
    # On the bottom rows, above one blank row, where Claude Code's status and input rows sit:
    # the reference reads only the last 25 (heal) or 40 (limit) rows of a capture.
    try:
        height = os.get_terminal_size(sys.stdout.fileno()).lines
    except OSError:
        height = 40
    top = max(1, height - len(rows))
    title(IDLE_TITLE)
    out("\033[2J\033[%d;1H" % top + "\n".join(rows) + "\n")


def check_trigger(session):
    path = "%s.trigger" % session
    try:
        with open(path) as f:
            what = f.read().strip()
        os.unlink(path)
    except FileNotFoundError:
        return
    if what == "exit":
        fired(session)
        sys.exit(1)
    repaint(LIMIT_SCREEN if what == "limit" else FATAL_SCREEN)
    fired(session)
    while True:
        signal.pause()


def spin(session, lat):
    n = 0
    time.sleep(random.random() * 0.5)
    while True:
        title("%s Claude Code" % SPIN[n % len(SPIN)])
        if n % 2 == 0:
            line(session, n // 2)
        n += 1
        if not lat:
            time.sleep(0.25)
            continue
        for _ in range(5):  # a trigger is seen within 50 ms
            check_trigger(session)
            time.sleep(0.05)


def stream(session):
    n = 0
    time.sleep(random.uniform(0, 5))
    while True:
        line(session, n)
        n += 1
        time.sleep(random.uniform(2, 5))


def main():
    kind, session = sys.argv[1], sys.argv[2]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(0))
    out("busy agent %s (%s) ready\n" % (session, kind))
    if kind == "stream":
        stream(session)
    else:
        spin(session, kind == "lat")


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, BrokenPipeError):
        pass
