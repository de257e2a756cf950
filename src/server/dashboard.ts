// The web dashboard: GET / and /web/* serve the built site in web/dist (npm run build:web).
// Only that directory is public; paths are decoded once, dot segments (`..`, dotfiles) and
// unknown file types are 404, and a resolved path must stay inside the directory.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

// The page talks only to this server; nothing inline, no frames.
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

interface Entry {
  mtimeMs: number;
  size: number;
  etag: string;
  body: Buffer;
  gzip?: Buffer;
}

const cache = new Map<string, Entry>();
let root: string | undefined;

/** web/dist of this package, from src/server (tsx) or dist/src/server (built). */
function siteRoot(): string {
  if (root) return root;
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [resolve(here, '../../web'), resolve(here, '../../../web')];
  root = resolve(candidates.find((dir) => existsSync(resolve(dir, 'index.html'))) ?? candidates[0], 'dist');
  return root;
}

/** The file a URL path names inside the site, or null when it names none we serve. */
function fileFor(urlPath: string): string | null {
  if (urlPath === '/' || urlPath === '/web' || urlPath === '/web/') return resolve(siteRoot(), 'index.html');
  if (!urlPath.startsWith('/web/')) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.slice('/web/'.length));
  } catch {
    return null;
  }
  const segments = rel.split('/');
  if (rel.includes('\\') || rel.includes('\0') || segments.some((s) => s === '' || s.startsWith('.'))) return null;
  if (!TYPES[extname(rel)]) return null;
  const base = siteRoot();
  const file = resolve(base, ...segments);
  return file.startsWith(base + sep) ? file : null;
}

async function load(file: string): Promise<Entry | null> {
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) return null;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
  const entry: Entry = { mtimeMs: st.mtimeMs, size: st.size, etag: `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`, body: await readFile(file) };
  cache.set(file, entry);
  return entry;
}

function notFound(res: ServerResponse, text = '404 page not found'): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function send(req: IncomingMessage, res: ServerResponse, file: string): Promise<void> {
  const entry = await load(file);
  if (!entry) {
    const missingBuild = !existsSync(resolve(siteRoot(), 'index.html'));
    notFound(res, missingBuild ? '404 dashboard not built: run `npm run build:web`' : undefined);
    return;
  }
  const headers: Record<string, string | number> = {
    ...SECURITY_HEADERS,
    'Content-Type': TYPES[extname(file)],
    // Builds replace files in place: revalidate every time (cheap with the ETag).
    'Cache-Control': 'no-cache',
    ETag: entry.etag,
    Vary: 'Accept-Encoding',
  };
  if (req.headers['if-none-match'] === entry.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  let body = entry.body;
  if (body.length > 1024 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && !file.endsWith('.png')) {
    entry.gzip ??= gzipSync(entry.body);
    body = entry.gzip;
    headers['Content-Encoding'] = 'gzip';
  }
  headers['Content-Length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Serves GET/HEAD of / and /web/*; returns false for every other path. */
export function serveDashboard(req: IncomingMessage, res: ServerResponse): boolean {
  const urlPath = (req.url ?? '/').split('?')[0];
  if (urlPath !== '/' && urlPath !== '/web' && !urlPath.startsWith('/web/')) return false;
  const file = fileFor(urlPath);
  if (!file) {
    notFound(res);
    return true;
  }
  send(req, res, file).catch(() => {
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end();
  });
  return true;
}
