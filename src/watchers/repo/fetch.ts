import { HeraldError } from '../../errors.js';
import { decompress, sha256 } from '../decompress.js';
import { fetchDocument } from '../fetcher.js';

/**
 * A file a repository index names: fetched, checked against the index's
 * checksum, decompressed. A mismatch is a mirror caught mid-sync: an error
 * to retry, never a wrong answer.
 */
export async function fetchIndexed(url: string, expected: string | undefined, o: { timeoutMs: number; maxBytes: number; maxUncompressedBytes: number }): Promise<Buffer> {
  const res = await fetchDocument({ url, timeoutMs: o.timeoutMs, maxBytes: o.maxBytes });
  if (res.status !== 200) throw new HeraldError('EFETCH', `GET ${url}: unexpected 304`);
  if (expected && sha256(res.body) !== expected) throw new HeraldError('EFETCH', `GET ${url}: sha256 differs from the index (mirror mid-sync?)`, { url });
  return decompress(res.body, new URL(url).pathname, o.maxUncompressedBytes);
}
