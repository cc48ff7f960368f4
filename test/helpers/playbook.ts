import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import type { ParsedMail } from 'mailparser';
import YAML from 'yaml';
import * as R from './repos.js';
import { fixture } from './util.js';
import type { World } from './world.js';

/** One of the shipped playbooks (config/examples/NAME.yaml), as an object the test points at its local servers. */
export function playbook(name: string): Record<string, any> {
  return YAML.parse(readFileSync(join('config', 'examples', `${name}.yaml`), 'utf8')) as Record<string, any>;
}

/** The test world's state dir, SMTP sink and fast mail timings in place of the playbook's own. */
export function localMail(w: World, cfg: Record<string, any>): Record<string, any> {
  return {
    ...cfg,
    state_dir: join(w.tmp.dir, 'state'),
    http: 'off',
    mail: {
      from: cfg.mail.from, transport: 'smtp', ...(cfg.mail.reply_to ? { reply_to: cfg.mail.reply_to } : {}),
      smtp: { host: '127.0.0.1', port: w.smtp.port, pool: false, timeout: '5s', starttls: 'never' },
      retry: { base: '50ms', max: '200ms', max_attempts: 50 }, every: '100ms',
    },
  };
}

export function save(w: World, cfg: Record<string, any>): string {
  const path = join(w.tmp.dir, 'config.yaml');
  writeFileSync(path, YAML.stringify(cfg));
  return path;
}

/** The Rocky errata mail (test/fixtures/rocky), renumbered to another kernel and advisory. */
export function rlsaMail(version: string, advisory: string): string {
  return fixture('rocky/RLSA-2023-7549-kernel.eml')
    .replaceAll('5.14.0-362.13.1.el9_3', version)
    .replaceAll('RLSA-2023:7549', advisory)
    .replace('<rlsa-2023-7549@rockylinux.org>', `<${advisory.toLowerCase().replace(':', '-')}@rockylinux.org>`);
}

/** An RPM repository (repodata/repomd.xml and a primary) served by the world's feed server under `path`. */
export function rpmRepo(w: World, path: string, pkgs: R.RpmPkg[]): void {
  const primary = R.xz(R.primaryXml(pkgs));
  w.feeds.set(`${path}repodata/p-primary.xml.xz`, primary, 'application/x-xz');
  w.feeds.set(`${path}repodata/repomd.xml`, R.repomdXml([{ type: 'primary', href: 'repodata/p-primary.xml.xz', body: primary }]));
}

export async function imapAppend(port: number, user: string, pass: string, raw: string): Promise<void> {
  const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass }, logger: false });
  await c.connect();
  await c.append('INBOX', raw);
  await c.logout();
}

/** A person's reply to a mail we sent: the word (and note) on top, the original quoted below. */
export function replyTo(original: ParsedMail, from: string, body: string, id: string, over: { inReplyTo?: string; subject?: string; headers?: string[] } = {}): string {
  const irt = over.inReplyTo ?? original.messageId!;
  return [
    `From: ${from}`, 'To: kernel-herald@example.org', `Subject: ${over.subject ?? `Re: ${original.subject}`}`,
    `Message-ID: <${id}@mua.example.org>`, 'Date: Mon, 02 Mar 2026 10:30:00 +0000', `In-Reply-To: ${irt}`, `References: ${irt}`,
    ...(over.headers ?? []), 'Content-Type: text/plain; charset=utf-8', '',
    ...body.split('\n'), '', `> ${original.text?.split('\n')[0] ?? ''}`, '',
  ].join('\r\n');
}

export const toOf = (m: ParsedMail): string => (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address)).sort().join(',');
export const ccOf = (m: ParsedMail): string => (Array.isArray(m.cc) ? m.cc : m.cc ? [m.cc] : []).flatMap((a) => a.value.map((v) => v.address)).sort().join(',');
export const templateOf = (m: ParsedMail): string => String(m.headers.get('x-kernel-herald-template'));
