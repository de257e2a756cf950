// A seeded pseudo-random source for tests that generate data: the same seed gives the same
// rows on every run, so a failure can be replayed.

/** `rand(n)`: an integer in [0, n) (n up to 2^32), from a 32-bit linear congruential generator. */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * n);
  };
}
