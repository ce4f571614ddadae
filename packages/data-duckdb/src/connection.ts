import * as nodePath from 'path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { literal } from './source';

/**
 * A DuckDB connection that reads the named file (or the folder of a glob) and writes only its spill
 * folder: external access off with those paths allowed, no extension installed or loaded, and the
 * configuration locked so that nothing run on it later can undo that (docs/security.md).
 */
export async function openLockedConnection(
  path: string,
  spill: string,
  memoryLimit?: string,
): Promise<{ instance: DuckDBInstance; db: DuckDBConnection }> {
  const settings: Record<string, string> = {
    temp_directory: spill,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  };
  if (memoryLimit !== undefined) settings.memory_limit = memoryLimit;
  const instance = await DuckDBInstance.create(':memory:', settings);
  const db = await instance.connect();
  try {
    const file = nodePath.resolve(path);
    const glob = /[*?[]/.exec(file);
    const folders = [`${nodePath.resolve(spill)}${nodePath.sep}`];
    if (glob) folders.push(file.slice(0, glob.index).replace(/[^/]*$/, ''));
    const list = (items: string[]) => `[${items.map(literal).join(', ')}]`;
    await db.run(`SET allowed_paths = ${list(glob ? [] : [file])}`);
    await db.run(`SET allowed_directories = ${list(folders)}`);
    await db.run('SET enable_external_access = false');
    await db.run('SET lock_configuration = true');
  } catch (error) {
    db.closeSync();
    instance.closeSync();
    throw error;
  }
  return { instance, db };
}
