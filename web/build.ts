// Builds the dashboard into web/dist: src/main.ts bundled (with the SDK) by esbuild for the
// browser, plus the static index.html and style.css. Files are written to a temporary name
// and renamed, so a server reading web/dist never sees half a file.
// Run: npm run build:web (tsx web/build.ts).
import { build } from 'esbuild';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('.', import.meta.url));
export const WEB_DIST = join(WEB, 'dist');
const STATIC = ['index.html', 'style.css'];

async function writeAtomic(file: string, contents: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, contents);
  await rename(tmp, file);
}

/** Builds web/dist; returns the paths written. */
export async function buildWeb(): Promise<string[]> {
  await mkdir(WEB_DIST, { recursive: true });
  const result = await build({
    entryPoints: [join(WEB, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    outfile: join(WEB_DIST, 'app.js'),
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  const written: string[] = [];
  for (const out of result.outputFiles) {
    await writeAtomic(out.path, out.contents);
    written.push(out.path);
  }
  for (const name of STATIC) {
    const target = join(WEB_DIST, basename(name));
    await writeAtomic(target, await readFile(join(WEB, name)));
    written.push(target);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await buildWeb();
  console.log(`web: built ${files.length} files into ${WEB_DIST}`);
}
