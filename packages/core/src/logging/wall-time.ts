import type { Clock } from "@aral/platform";

const anchors = new WeakMap<Clock, { wall: number; tick: number }>();

/**
 * Epoch milliseconds according to `clock`. `Clock.now()` only promises meaningful differences
 * (systemClock is monotonic performance.now, a ManualClock starts wherever a test says), so the
 * first reading of each clock is pinned to Date.now() and later readings move with the clock.
 */
export function wallTime(clock: Clock): number {
  const tick = clock.now();
  let anchor = anchors.get(clock);
  if (!anchor) {
    anchor = { wall: Date.now(), tick };
    anchors.set(clock, anchor);
  }
  return anchor.wall + (tick - anchor.tick);
}
