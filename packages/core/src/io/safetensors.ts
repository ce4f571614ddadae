import * as fs from 'fs';
import { UserError } from '../errors/FarziError';
import { writeFileAtomic } from './atomicWrite';
import { decodeSafetensors, encodeSafetensors, SafetensorsContent } from './safetensorsFormat';

export { decodeSafetensors, encodeSafetensors } from './safetensorsFormat';
export type { SafetensorsContent, StoredTensor } from './safetensorsFormat';

export function writeSafetensors(file: string, content: SafetensorsContent): void {
  writeFileAtomic(file, encodeSafetensors(content));
}

export function readSafetensors(file: string): SafetensorsContent {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new UserError(`cannot read ${file}: no such file.`);
  }
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
}
