import { crc32c, encodeEventFile } from './tensorboard';

/** Bit-by-bit CRC-32C, independent of the table-driven one under test. */
function slowCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
const mask = (c: number) => ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;

type Field = { field: number; wire: number; value: number | bigint | Buffer };
/** A minimal protocol-buffer reader (varint, 64-bit, length-delimited, 32-bit). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++];
      v |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return v;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) out.push({ field, wire, value: buf.readDoubleLE((i += 8) - 8) });
    else if (wire === 5) out.push({ field, wire, value: buf.readFloatLE((i += 4) - 4) });
    else if (wire === 2) {
      const n = Number(varint());
      out.push({ field, wire, value: buf.subarray(i, (i += n)) });
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}

describe('TensorBoard event files', () => {
  it('computes CRC-32C as the standard check value says', () => {
    const check = Buffer.from('123456789');
    expect(crc32c(check)).toBe(0xe3069283);
    const random = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) % 251));
    expect(crc32c(random)).toBe(slowCrc32c(random));
  });

  it('writes TFRecords of Event protos: a version event, then one scalar event each', () => {
    const bytes = Buffer.from(
      encodeEventFile(
        [
          { tag: 'train/loss', value: 2.5, step: 175, wallTime: 1000.5 },
          { tag: 'valid/NDCG@10', value: 0.0658, step: 5250, wallTime: 1031.25 },
        ],
        1000,
      ),
    );
    const records: Buffer[] = [];
    for (let i = 0; i < bytes.length;) {
      const lengthBytes = bytes.subarray(i, i + 8);
      const n = Number(lengthBytes.readBigUInt64LE());
      expect(bytes.readUInt32LE(i + 8)).toBe(mask(slowCrc32c(lengthBytes)));
      const data = bytes.subarray(i + 12, i + 12 + n);
      expect(bytes.readUInt32LE(i + 12 + n)).toBe(mask(slowCrc32c(data)));
      records.push(data);
      i += 16 + n;
    }
    expect(records).toHaveLength(3);
    const version = fields(records[0]);
    expect(version[0]).toMatchObject({ field: 1, value: 1000 });
    expect(version[1].field).toBe(3);
    expect((version[1].value as Buffer).toString()).toBe('brain.Event:2');
    const scalar = fields(records[2]);
    expect(scalar[0]).toMatchObject({ field: 1, value: 1031.25 });
    expect(scalar[1]).toMatchObject({ field: 2, value: 5250n });
    const summary = fields(scalar[2].value as Buffer);
    expect(summary[0].field).toBe(1);
    const value = fields(summary[0].value as Buffer);
    expect((value[0].value as Buffer).toString()).toBe('valid/NDCG@10');
    expect(value[1]).toMatchObject({ field: 2, wire: 5 });
    expect(value[1].value as number).toBeCloseTo(0.0658, 6);
  });
});
