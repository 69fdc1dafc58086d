import { createHash } from 'node:crypto';

/** The sha256 of text (as UTF-8) or bytes, in hex: what records store and plans compare. */
export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
