import { createHash } from 'node:crypto';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { Decompress } from 'fzstd';
import { createRequire } from 'node:module';
import { HeraldError } from '../errors.js';

const gunzipAsync = promisify(gunzip);
// xz-decompress is CommonJS; its default export differs between loaders (node, tsx).
// Loaded on the first .xz file: a daemon watching feeds alone never needs it.
let xz: typeof import('xz-decompress') | undefined;
const xzDecompress = () => (xz ??= createRequire(import.meta.url)('xz-decompress') as typeof import('xz-decompress'));

function tooBig(name: string, max: number): HeraldError {
  return new HeraldError('EINPUT', `${name}: decompresses to more than ${max} bytes (max_uncompressed_bytes)`);
}

/**
 * Repository metadata as mirrors serve it: .gz, .xz or .zst by file name,
 * else as is. The output is capped, so a compression bomb is an error, not an
 * out-of-memory daemon.
 */
export async function decompress(data: Buffer, name: string, maxBytes: number): Promise<Buffer> {
  if (/\.gz$/.test(name)) {
    try {
      return await gunzipAsync(data, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig(name, maxBytes);
      throw new HeraldError('EINPUT', `${name}: not valid gzip: ${(err as Error).message}`);
    }
  }
  if (/\.xz$/.test(name)) {
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      const reader = new (xzDecompress().XzReadableStream)(new Blob([new Uint8Array(data)]).stream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > maxBytes) { await reader.cancel(); throw tooBig(name, maxBytes); }
        chunks.push(Buffer.from(value));
      }
    } catch (err) {
      if (err instanceof HeraldError) throw err;
      throw new HeraldError('EINPUT', `${name}: not valid xz: ${(err as Error).message}`);
    }
    return Buffer.concat(chunks);
  }
  if (/\.zst$/.test(name)) {
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      const d = new Decompress((chunk) => {
        total += chunk.length;
        if (total > maxBytes) throw tooBig(name, maxBytes);
        chunks.push(Buffer.from(chunk));
      });
      d.push(new Uint8Array(data), true);
    } catch (err) {
      if (err instanceof HeraldError) throw err;
      throw new HeraldError('EINPUT', `${name}: not valid zstd: ${(err as Error).message}`);
    }
    return Buffer.concat(chunks);
  }
  if (/\.(bz2|lzma|lz4)$/.test(name)) throw new HeraldError('EINPUT', `${name}: unsupported compression (gz, xz and zst are supported)`);
  return data;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
