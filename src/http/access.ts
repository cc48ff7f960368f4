import { timingSafeEqual } from 'node:crypto';

// Who may read the pages and feeds: they show who is on duty and what mail
// went out, so anything but a loopback listener needs a credential.

export type Access = 'ok' | 'unauthorized' | 'no-credential';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/**
 * With a token, every request must carry it (`Authorization: Bearer TOKEN`,
 * or basic auth with TOKEN as the password, which calendar apps can send).
 * Without one, only a loopback listener serves the pages.
 */
export function pageAccess(listenHost: string, token: string | undefined, authorization: string | undefined): Access {
  if (token === undefined) return isLoopback(listenHost) ? 'ok' : 'no-credential';
  const given = presented(authorization ?? '');
  return given !== undefined && same(given, token) ? 'ok' : 'unauthorized';
}

function presented(header: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
