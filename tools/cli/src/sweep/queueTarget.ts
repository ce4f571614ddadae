import * as fs from 'fs';
import { isIP } from 'net';
import type { ConnectionOptions as TlsOptions } from 'tls';
import Redis from 'ioredis';
import { UserError } from '@farzi/core';

/** Where the queue is: a Redis URL, its connection options, and the URL as it may be printed. */
export interface RedisTarget {
  /** The URL without its credentials: what logs and errors show. */
  url: string;
  connection: {
    host: string;
    port: number;
    db?: number;
    username?: string;
    password?: string;
    tls?: TlsOptions;
  };
}

/** The URL with its password (and user name) replaced, for printing. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)[^@/]*@/i, (_, scheme: string) => `${scheme}***@`);
}

/**
 * `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS), checked, with the error a user
 * can act on. The password may also come from $FARZI_REDIS_PASSWORD (kept off command lines), the
 * URL itself from $FARZI_QUEUE; a TLS server's certificate is checked against the system's CAs or
 * `caFile` (--queue-ca-file / $FARZI_QUEUE_CA_FILE).
 */
export function parseQueueUrl(url: string, caFile?: string): RedisTarget {
  const shown = redactUrl(url);
  const usage = `--queue ${shown}: expected redis://host:port or rediss://host:port (TLS), optionally with a database number (e.g. redis://127.0.0.1:6379/0).`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(usage);
  }
  const tls = parsed.protocol === 'rediss:';
  if ((parsed.protocol !== 'redis:' && !tls) || !parsed.hostname) throw new UserError(usage);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^(0|[1-9]\d{0,4})$/.test(db)) {
    throw new UserError(`${usage} "${db.slice(0, 40)}" is not a database number.`);
  }
  const port = Number(parsed.port || 6379);
  const password = parsed.password
    ? decodeURIComponent(parsed.password)
    : process.env.FARZI_REDIS_PASSWORD || undefined;
  const ca = caFile ?? process.env.FARZI_QUEUE_CA_FILE;
  if (ca && !tls) throw new UserError(`--queue-ca-file is for TLS: use rediss:// in --queue.`);
  let tlsOptions: TlsOptions | undefined;
  if (tls) {
    // SNI takes names only; an address is checked against the certificate's IP entries.
    tlsOptions = isIP(parsed.hostname) ? {} : { servername: parsed.hostname };
    if (ca) {
      try {
        tlsOptions.ca = fs.readFileSync(ca);
      } catch (error) {
        throw new UserError(
          `--queue-ca-file ${ca}: cannot read it (${(error as Error).message.split('\n')[0]}).`,
        );
      }
    }
  }
  return {
    url: shown,
    connection: {
      host: parsed.hostname,
      port,
      ...(db ? { db: Number(db) } : {}),
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(password ? { password } : {}),
      ...(tlsOptions ? { tls: tlsOptions } : {}),
    },
  };
}

/** What a Redis error means for the user, in one line (never the password). */
export function describeRedisError(target: RedisTarget, error: unknown): string {
  const message = String((error as Error)?.message ?? error).split('\n')[0];
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)) {
    return `authentication failed at ${target.url}: ${target.connection.password ? 'the password (or user name) is wrong' : 'the server wants a password'} — give it in the URL (redis://:password@host:port) or, better, in $FARZI_REDIS_PASSWORD.`;
  }
  if (
    /certificate|SSL|TLS|self.signed|wrong version number|ECONNRESET/i.test(message) &&
    target.connection.tls
  ) {
    return `TLS to ${target.url} failed: ${message.slice(0, 200)}. A private CA's certificate is given with --queue-ca-file.`;
  }
  return `cannot reach Redis at ${target.url}: ${message.slice(0, 200)}. Start it (redis-server --port ${target.connection.port}) or give the right --queue.`;
}

/** Fails fast (exit 2) when Redis does not answer or refuses us, instead of retrying forever. */
export async function checkReachable(target: RedisTarget, timeoutMs = 3000): Promise<void> {
  const client = new Redis({
    ...target.connection,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let lastError: unknown;
  client.on('error', (error) => (lastError = error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new UserError(describeRedisError(target, lastError ?? error));
  } finally {
    client.disconnect();
  }
}
