import { randomBytes } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds then random bits. Time-ordered ids keep the
 * jobs index append-mostly, and the format is accepted by every dialect's id rules
 * (RunComfy `[A-Za-z0-9_-]{1,128}`, Runflow UUIDs).
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = takeRandomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A seed in the range every seed schema accepts (non-negative 32-bit). */
export function randomSeed(): number {
  return takeRandomBytes(4).readUInt32BE(0) >>> 1;
}

// Random bytes are drawn from the OS 4 KiB at a time: one getrandom call per id showed up as
// several percent of a submit's CPU time. Each id still gets fresh, never reused bytes.
let pool = Buffer.alloc(0);
let offset = 0;
function takeRandomBytes(count: number): Buffer {
  if (offset + count > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const taken = Buffer.from(pool.subarray(offset, offset + count));
  offset += count;
  return taken;
}
