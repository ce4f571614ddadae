import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { UserError, writeFileAtomic } from '@farzi/core';

// The page's site: prebuilt by scripts/bundle.js into dist/site (app.js, index.html, style.css,
// wasm/), served with the user's files (`npx farzi web`) or copied beside them for any static host
// (`npx farzi web --build`). The server answers only the site's own files and the ones given.

/** The files a site serves besides the page: Farzi Data, an evaluation sample, item titles. */
export interface SiteFiles {
  readonly data?: string;
  readonly eval?: string;
  /** Item id → title, where the data has titles. */
  readonly titles?: ReadonlyMap<string, string>;
}

/** Where the prebuilt page is (dist/site of this package). */
export function siteDirectory(): string {
  const dir = path.resolve(__dirname, '..', 'dist', 'site');
  if (!fs.existsSync(path.join(dir, 'app.js')))
    throw new UserError(
      `the browser page is not built (${dir} has no app.js); run npm run build (or npm ci) in the project first.`,
    );
  return dir;
}

/** The site's files: URL path → file on disk, plus generated ones (URL path → bytes). */
function siteEntries(files: SiteFiles): {
  disk: Map<string, string>;
  generated: Map<string, Uint8Array>;
} {
  const dir = siteDirectory();
  const disk = new Map<string, string>();
  for (const name of ['index.html', 'style.css', 'app.js'])
    disk.set(`/${name}`, path.join(dir, name));
  for (const name of fs.readdirSync(path.join(dir, 'wasm')))
    disk.set(`/wasm/${name}`, path.join(dir, 'wasm', name));
  const site: Record<string, string> = {};
  if (files.data) {
    site.data = `data/${path.basename(files.data)}`;
    disk.set(`/${site.data}`, path.resolve(files.data));
  }
  if (files.eval) {
    site.eval = `data/${path.basename(files.eval)}`;
    disk.set(`/${site.eval}`, path.resolve(files.eval));
  }
  const generated = new Map<string, Uint8Array>();
  if (files.titles?.size) {
    site.titles = 'data/titles.json';
    generated.set(`/${site.titles}`, json(Object.fromEntries(files.titles)));
  }
  generated.set('/site.json', json(site));
  return { disk, generated };
}

const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value)}\n`);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
};

/**
 * Writes the site into `outDir` (new or empty): the page, the given files under data/, and
 * site.json naming them. Returns the files written.
 */
export function writeSite(outDir: string, files: SiteFiles): string[] {
  const { disk, generated } = siteEntries(files);
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0)
    throw new UserError(
      `${outDir} is not empty; the site goes into a new or empty folder, so that nothing of yours is overwritten.`,
    );
  const written: string[] = [];
  const put = (urlPath: string, bytes: Uint8Array) => {
    const file = path.join(outDir, ...urlPath.split('/').filter(Boolean));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, bytes);
    written.push(path.relative(outDir, file));
  };
  for (const [urlPath, file] of disk) put(urlPath, fs.readFileSync(file));
  for (const [urlPath, bytes] of generated) put(urlPath, bytes);
  return written.sort();
}

export interface ServedSite {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the site on `host:port` (port 0: a free one) until closed. */
export function serveSite(
  files: SiteFiles,
  options: { port?: number; host?: string } = {},
): Promise<ServedSite> {
  const { disk, generated } = siteEntries(files);
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer((request, response) => {
    const urlPath = new URL(request.url ?? '/', 'http://site').pathname;
    const key = urlPath === '/' ? '/index.html' : urlPath;
    const type = TYPES[path.extname(key)] ?? 'application/octet-stream';
    const headers = { 'content-type': type, 'cache-control': 'no-cache' };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const body = generated.get(key);
    if (body) {
      response.writeHead(200, { ...headers, 'content-length': body.length });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    const file = disk.get(key);
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    fs.stat(file, (error, stat) => {
      if (error) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      response.writeHead(200, { ...headers, 'content-length': stat.size });
      if (request.method === 'HEAD') response.end();
      else fs.createReadStream(file).pipe(response);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new UserError(
              `--port ${options.port}: the port is in use; choose another (or 0 for a free one).`,
            )
          : error.code === 'EACCES'
            ? new UserError(
                `--port ${options.port}: not allowed to listen there; choose a port above 1023.`,
              )
            : error,
      ),
    );
    server.listen(options.port ?? 8080, host, () => {
      const address = server.address() as { port: number };
      resolve({
        url: `http://${host}:${address.port}/`,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}
