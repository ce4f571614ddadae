import { readSafetensors, writeSafetensors } from '@farzi/core';
import { FarziData, farziDataContents, farziDataFromContents } from './farziDataFormat';

// Everything about Farzi Data in memory, plus the file-system side below.
export * from './farziDataFormat';

/** Writes Farzi Data in the safetensors layout (tensors `latent`, `decoder`), atomically. */
export function saveFarziData(file: string, data: FarziData): void {
  writeSafetensors(file, farziDataContents(data));
}

/** Reads and checks a Farzi Data file. */
export function loadFarziData(file: string): FarziData {
  return farziDataFromContents(readSafetensors(file), file);
}
