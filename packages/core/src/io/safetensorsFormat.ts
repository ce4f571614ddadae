import { UserError } from '../errors/FarziError';

// The safetensors layout in memory (no file system: this file is part of the browser bundle).

/** A tensor as stored: dtype, shape and values. */
export interface StoredTensor {
  readonly dtype: 'float32' | 'int32';
  readonly shape: number[];
  readonly values: Float32Array | Int32Array;
}

export interface SafetensorsContent {
  readonly tensors: Record<string, StoredTensor>;
  /** String metadata (safetensors `__metadata__`). */
  readonly metadata: Record<string, string>;
}

const DTYPE = { float32: 'F32', int32: 'I32' } as const;

/**
 * Encodes tensors in the safetensors layout: an 8-byte little-endian header length, a JSON header
 * (`{name: {dtype, shape, data_offsets}, __metadata__}`), then raw little-endian data. Python users
 * read it with `safetensors.numpy.load_file`.
 */
export function encodeSafetensors(content: SafetensorsContent): Uint8Array {
  const names = Object.keys(content.tensors).sort();
  const header: Record<string, unknown> = { __metadata__: content.metadata };
  let offset = 0;
  for (const name of names) {
    const t = content.tensors[name];
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (t.values.length !== expected) {
      throw new Error(`tensor "${name}" has ${t.values.length} values for shape [${t.shape}]`);
    }
    header[name] = {
      dtype: DTYPE[t.dtype],
      shape: t.shape,
      data_offsets: [offset, offset + t.values.byteLength],
    };
    offset += t.values.byteLength;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  const unpadded = encoder.encode(json).length;
  json += ' '.repeat((8 - ((8 + unpadded) % 8)) % 8);
  const headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const v = content.tensors[name].values;
    // Typed arrays are little-endian on every platform Node runs on that we support (x86, ARM).
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), at);
    at += v.byteLength;
  }
  return out;
}

export function decodeSafetensors(
  bytes: Uint8Array,
  source = 'safetensors data',
): SafetensorsContent {
  const fail = (problem: string): never => {
    throw new UserError(`${source} is not a valid safetensors file: ${problem}.`);
  };
  if (bytes.length < 8) fail('it is shorter than the 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) fail(`the header length ${headerLength} exceeds the file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    return fail('the header is not JSON');
  }
  const dataStart = 8 + headerLength;
  const tensors: Record<string, StoredTensor> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const dtype =
      e.dtype === 'F32'
        ? 'float32'
        : e.dtype === 'I32'
          ? 'int32'
          : fail(`tensor "${name}" has unsupported dtype ${e.dtype}`);
    const [begin, end] = e.data_offsets;
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * 4 || dataStart + end > bytes.length)
      fail(`tensor "${name}" has inconsistent offsets`);
    const copy = bytes.slice(dataStart + begin, dataStart + end);
    tensors[name] = {
      dtype,
      shape: e.shape,
      values:
        dtype === 'float32'
          ? new Float32Array(copy.buffer, 0, count)
          : new Int32Array(copy.buffer, 0, count),
    };
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}
