import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * A large stream made one chunk at a time (never held whole), each chunk varied so a misplaced
 * chunk changes the hash. `onChunk` runs after each chunk is produced (e.g. to sample memory).
 */
export function generatedStream(
  chunkCount: number,
  chunkSize: number,
  onChunk: (produced: number) => void = () => undefined,
): { readonly stream: Readable; digest(): string } {
  const written = createHash('sha256');
  let produced = 0;
  const stream = new Readable({
    read() {
      if (produced === chunkCount) {
        this.push(null);
        return;
      }
      const chunk = Buffer.alloc(chunkSize, produced % 251);
      chunk.writeUInt32BE(produced, 0);
      written.update(chunk);
      produced += 1;
      onChunk(produced);
      this.push(chunk);
    },
  });
  return { stream, digest: () => written.digest('hex') };
}
