import { open } from 'node:fs/promises';

/**
 * The first `max` bytes of a file (or all of it when shorter), its size, and whether the head is
 * the whole file: what the readers, the encoding detection and the quality engine's sniffing look at.
 */
export async function readHead(path: string, max: number): Promise<{ bytes: Buffer; size: number; complete: boolean }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const bytes = Buffer.alloc(Math.min(size, max));
    const { bytesRead } = await fh.read(bytes, 0, bytes.length, 0);
    return { bytes: bytes.subarray(0, bytesRead), size, complete: size <= max };
  } finally {
    await fh.close();
  }
}
