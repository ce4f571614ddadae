/*
 * TensorBoard event files without TensorFlow: scalars as `Event` protocol buffers (wall_time = 1,
 * step = 2, file_version = 3, summary = 5; Summary.value = 1; Value.tag = 1, simple_value = 2) in
 * TFRecord framing (length, masked CRC-32C of the length, data, masked CRC-32C of the data), the
 * format `tensorboard --logdir` and tbparse read.
 */

export interface ScalarEvent {
  readonly tag: string;
  readonly value: number;
  readonly step: number;
  /** Seconds since the epoch. */
  readonly wallTime: number;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), as TFRecord uses it. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function maskedCrc(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Protocol-buffer writer for the few wire types an Event needs. */
class Proto {
  private readonly parts: number[] = [];
  private varint(v: number): void {
    let n = BigInt(v);
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      this.parts.push(b);
    } while (n > 0n);
  }
  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  double(field: number, v: number): this {
    this.key(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.parts.push(...b);
    return this;
  }
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.parts.push(...b);
    return this;
  }
  int(field: number, v: number): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }
  bytes(field: number, v: Uint8Array): this {
    this.key(field, 2);
    this.varint(v.length);
    this.parts.push(...v);
    return this;
  }
  string(field: number, v: string): this {
    return this.bytes(field, Buffer.from(v, 'utf8'));
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function record(data: Uint8Array): Uint8Array {
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(data.length));
  const out = Buffer.alloc(8 + 4 + data.length + 4);
  length.copy(out, 0);
  out.writeUInt32LE(maskedCrc(length), 8);
  Buffer.from(data).copy(out, 12);
  out.writeUInt32LE(maskedCrc(data), 12 + data.length);
  return out;
}

/** A whole event file: the version event, then one event per scalar. */
export function encodeEventFile(scalars: readonly ScalarEvent[], startTime: number): Uint8Array {
  const records = [
    record(new Proto().double(1, startTime).string(3, 'brain.Event:2').done()),
    ...scalars.map((s) =>
      record(
        new Proto()
          .double(1, s.wallTime)
          .int(2, s.step)
          .bytes(
            5,
            new Proto().bytes(1, new Proto().string(1, s.tag).float(2, s.value).done()).done(),
          )
          .done(),
      ),
    ),
  ];
  return Buffer.concat(records);
}
