/**
 * Summarises V8 CPU profiles written by `npm run bench -- <mode> --cpu-prof`:
 *
 *   node dist/bench/profile.js <file.cpuprofile>... [--top 30]
 *
 * Prints self time per area (package / src folder) and the top functions by self time.
 * For a flame graph, open the .cpuprofile in Chrome DevTools (Performance) or speedscope.
 */
import { formatProfile } from './lib/profile.js';

const args = process.argv.slice(2);
const i = args.indexOf('--top');
const top = i >= 0 ? Number(args.splice(i, 2)[1]) : 25;
if (args.length === 0) {
  console.error('usage: node dist/bench/profile.js <file.cpuprofile>... [--top N]');
  process.exit(2);
}
for (const f of args) console.log(formatProfile(f, top), '\n');
