// The log-rotation decision as tables: sizes, what the last look saw, and the clock in; which logs
// to rotate and when to look again out. No files, no timers.
import { describe, expect, test } from "vitest";
import {
  FLOOD_BYTES_PER_MS,
  MAX_CHECK_MS,
  MIN_CHECK_MS,
  REACT_MS,
  ROTATE_LATENCY_MS,
  growthRate,
  planLogCheck,
  rotateThreshold,
  type LogSeen,
} from "../../src/watchdog/log-cap.js";

const KiB = 1024;
const MiB = 1024 * 1024;
const CAP = 50 * MiB;
const NOW = 1_000_000;
/** Bytes a log grows per ms at `n` MiB/s. */
const mibps = (n: number) => (n * MiB) / 1000;

describe("rotateThreshold", () => {
  test.each([
    // Headroom for a flood at FLOOD_BYTES_PER_MS during one look plus a rotation (200 ms): ~9.6 MiB.
    { cap: CAP, want: Math.floor(CAP - FLOOD_BYTES_PER_MS * REACT_MS), why: "default cap: flood headroom" },
    { cap: 1024 * MiB, want: Math.floor(0.9 * 1024 * MiB), why: "large cap: 10% headroom is more" },
    { cap: 4 * MiB, want: 2 * MiB, why: "small cap: never below half" },
    { cap: 64 * KiB, want: 32 * KiB, why: "the minimum cap" },
  ])("$why", ({ cap, want }) => {
    expect(rotateThreshold(cap)).toBe(want);
  });
});

describe("growthRate", () => {
  test.each([
    { size: 5000, prev: undefined, now: NOW, want: 0, why: "first look: unknown" },
    { size: 5000, prev: { size: 1000, at: NOW - 100, rate: 0 }, now: NOW, want: 40, why: "grew 4000 in 100 ms" },
    { size: 1000, prev: { size: 1000, at: NOW - 100, rate: 0 }, now: NOW, want: 0, why: "unchanged" },
    { size: 300, prev: { size: 9000, at: NOW - 100, rate: 0 }, now: NOW, want: 3, why: "smaller: replaced, all of it new" },
    { size: 5000, prev: { size: 1000, at: NOW, rate: 0 }, now: NOW, want: 0, why: "no time passed" },
    { size: 1000, prev: { size: 1000, at: NOW - 100, rate: 40 }, now: NOW, want: 20, why: "a dip in a flood only halves the estimate" },
    { size: 9000, prev: { size: 1000, at: NOW - 100, rate: 40 }, now: NOW, want: 80, why: "faster than estimated: the new rate" },
  ])("$why", ({ size, prev, now, want }) => {
    expect(growthRate(size, prev, now)).toBe(want);
  });
});

interface Row {
  why: string;
  cap?: number;
  /** session → [size now, size at the last look (omit: never looked), ms since that look, rate estimate then]. */
  logs: Record<string, [number, number?, number?, number?]>;
  rotate: string[];
  /** Exact ms, or a [min, max] range. */
  next: number | [number, number];
}

const T = rotateThreshold(CAP);

const rows: Row[] = [
  { why: "no logs: look again at the longest interval", logs: {}, rotate: [], next: MAX_CHECK_MS },
  {
    why: "an empty idle log: look again before a flood could fill it to the threshold",
    logs: { a: [0, 0, 1000] },
    rotate: [],
    next: Math.round(T / FLOOD_BYTES_PER_MS),
  },
  { why: "at the threshold: rotate", logs: { a: [T, T, 1000] }, rotate: ["a"], next: Math.round(T / FLOOD_BYTES_PER_MS) },
  { why: "over the threshold at the first look (an old log): rotate", logs: { a: [200 * MiB] }, rotate: ["a"], next: [800, 1000] },
  { why: "idle just under the threshold: not rotated, looked at as often as allowed", logs: { a: [T - 1, T - 1, 1000] }, rotate: [], next: MIN_CHECK_MS },
  {
    why: "a 24 MiB/s flood halfway: not yet, the next look at the assumed worst rate",
    logs: { a: [20 * MiB, 20 * MiB - mibps(24) * 500, 500] },
    rotate: [],
    next: Math.round((T - 20 * MiB) / FLOOD_BYTES_PER_MS),
  },
  {
    why: "faster than assumed (100 MiB/s) and below the threshold, but would cross the cap before another rotation: rotate",
    logs: { a: [36 * MiB, 36 * MiB - mibps(100) * 100, 100] },
    rotate: ["a"],
    next: Math.round(T / mibps(100)),
  },
  {
    why: "faster than assumed, with room left: the next look comes at the observed rate",
    logs: { a: [20 * MiB, 20 * MiB - mibps(100) * 100, 100] },
    rotate: [],
    next: Math.round((T - 20 * MiB) / mibps(100)),
  },
  {
    why: "small cap flooded (4 MiB at 24 MiB/s): rotate at every look, even under the threshold",
    cap: 4 * MiB,
    logs: { a: [KiB * 600, 0, 25] },
    rotate: ["a"],
    next: MIN_CHECK_MS,
  },
  {
    why: "small cap, the flood stopped (no growth since the last look): keep the part",
    cap: 4 * MiB,
    logs: { a: [KiB * 600, KiB * 600, 100] },
    rotate: [],
    next: MIN_CHECK_MS,
  },
  { why: "an emptied log (replaced by a restart) is not rotated", logs: { a: [0, 30 * MiB, 100] }, rotate: [], next: [800, 1000] },
  { why: "a huge cap, idle: the longest interval", cap: 4096 * MiB, logs: { a: [0, 0, 1000] }, rotate: [], next: MAX_CHECK_MS },
  {
    why: "several logs: only the full one rotates; the next look suits the fullest of the rest",
    logs: { a: [T + 5, T, 1000], b: [38 * MiB, 38 * MiB, 1000], c: [0, 0, 1000] },
    rotate: ["a"],
    next: Math.max(MIN_CHECK_MS, Math.round((T - 38 * MiB) / FLOOD_BYTES_PER_MS)),
  },
  {
    why: "a flood's burst dipped (5 MiB/s after 100 MiB/s): the halved estimate still sets the next look",
    logs: { a: [30 * MiB, 30 * MiB - mibps(5) * 100, 100, mibps(100)] },
    rotate: [],
    next: Math.round((T - 30 * MiB) / mibps(50)),
  },
];

describe("planLogCheck", () => {
  test.each(rows)("$why", (row) => {
    const sizes = new Map<string, number>();
    const seen = new Map<string, LogSeen>();
    for (const [s, [size, before, ago, rate]] of Object.entries(row.logs)) {
      sizes.set(s, size);
      if (before !== undefined) seen.set(s, { size: before, at: NOW - (ago ?? 1000), rate: rate ?? 0 });
    }
    const plan = planLogCheck({ now: NOW, maxBytes: row.cap ?? CAP, sizes, seen });
    expect(plan.rotate).toEqual(row.rotate);
    if (typeof row.next === "number") expect(plan.nextCheckMs).toBe(row.next);
    else {
      expect(plan.nextCheckMs).toBeGreaterThanOrEqual(row.next[0]);
      expect(plan.nextCheckMs).toBeLessThanOrEqual(row.next[1]);
    }
  });

  test("remembers sizes seen, a rotated log as empty at this look, and forgets logs no longer listed", () => {
    const plan = planLogCheck({
      now: NOW,
      maxBytes: CAP,
      sizes: new Map([["a", T + 1], ["b", 7]]),
      seen: new Map([["gone", { size: 5, at: NOW - 100, rate: 0 }]]),
    });
    expect([...plan.seen]).toEqual([
      ["a", { size: 0, at: NOW, rate: 0 }],
      ["b", { size: 7, at: NOW, rate: 0 }],
    ]);
  });

  test("a flood at the assumed worst rate never carries a log past its cap between looks", () => {
    // Simulate: each look happens when planned plus the rotation latency allowed for, the log grows
    // at the worst rate in between, and a rotation empties it. No look ever finds it at the cap.
    // Caps down to what the worst flood writes in one look plus a rotation (~9.6 MiB); below that
    // polling cannot hold a worst-case flood, only slower ones.
    for (const cap of [CAP, 16 * MiB, Math.ceil(FLOOD_BYTES_PER_MS * REACT_MS) + 1]) {
      let seen = new Map<string, LogSeen>();
      let size = 0;
      let now = NOW;
      let largest = 0;
      for (let i = 0; i < 200; i++) {
        const plan = planLogCheck({ now, maxBytes: cap, sizes: new Map([["a", size]]), seen });
        seen = plan.seen;
        if (plan.rotate.includes("a")) size = 0;
        const dt = plan.nextCheckMs + ROTATE_LATENCY_MS;
        now += dt;
        size += FLOOD_BYTES_PER_MS * dt;
        largest = Math.max(largest, size);
      }
      expect(largest, `cap ${cap}`).toBeLessThan(cap);
    }
  });
});
