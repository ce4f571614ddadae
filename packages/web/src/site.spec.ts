import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { serveSite, siteDirectory, writeSite } from './site';

// The server answers the page's own files and the files given, nothing else (a site is served to
// a browser; its URLs must not reach the rest of the disk).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farzi-site-'));
const data = path.join(dir, 'my-data.safetensors');
fs.writeFileSync(data, 'farzi bytes');
fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function get(
  url: string,
  method = 'GET',
): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method }, (response) => {
      let body = '';
      response.on('data', (c) => (body += c));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** A raw request line (no URL normalisation by the client), for path traversal attempts. */
function raw(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = require('net').connect(port, '127.0.0.1', () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('end', () => resolve(text.split('\r\n')[0]));
    socket.on('error', reject);
  });
}

describe('the page’s server', () => {
  it('serves the page, the wasm binaries, the given files and site.json naming them', async () => {
    const site = await serveSite({ data, titles: new Map([['7', 'Film 7']]) }, { port: 0 });
    try {
      const index = await get(site.url);
      expect(index.status).toBe(200);
      expect(index.type).toContain('text/html');
      expect(index.body).toContain('<script src="app.js"></script>');
      expect((await get(`${site.url}app.js`)).status).toBe(200);
      const wasm = fs.readdirSync(path.join(siteDirectory(), 'wasm'))[0];
      expect((await get(`${site.url}wasm/${wasm}`)).type).toBe('application/wasm');
      expect(JSON.parse((await get(`${site.url}site.json`)).body)).toEqual({
        data: 'data/my-data.safetensors',
        titles: 'data/titles.json',
      });
      expect((await get(`${site.url}data/my-data.safetensors`)).body).toBe('farzi bytes');
      expect(JSON.parse((await get(`${site.url}data/titles.json`)).body)).toEqual({ 7: 'Film 7' });
    } finally {
      await site.close();
    }
  });

  it('answers nothing else: no traversal, no other file beside the data, no writes', async () => {
    const site = await serveSite({ data }, { port: 0 });
    try {
      for (const target of [
        '/data/secret.txt',
        '/data/../secret.txt',
        '/../../../../etc/passwd',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/data/%2e%2e%2fsecret.txt',
        '/package.json',
      ])
        expect(await raw(site.port, target)).toBe('HTTP/1.1 404 Not Found');
      expect((await get(`${site.url}index.html`, 'POST')).status).toBe(405);
    } finally {
      await site.close();
    }
  });

  it('says when the port is taken', async () => {
    const first = await serveSite({}, { port: 0 });
    try {
      await expect(serveSite({}, { port: first.port })).rejects.toThrow(
        `--port ${first.port}: the port is in use`,
      );
    } finally {
      await first.close();
    }
  });

  it('writes the same site into a new or empty folder, never over files', () => {
    const out = path.join(dir, 'site');
    const written = writeSite(out, { data });
    expect(written).toEqual(
      expect.arrayContaining(['index.html', 'app.js', 'site.json', 'data/my-data.safetensors']),
    );
    expect(() => writeSite(out, { data })).toThrow('is not empty');
  });
});
