import { spawn } from 'node:child_process';
import type { Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutboxMessage } from '../store/outbox.js';

// nodemailer loads when the first message goes out: a poll that sends
// nothing, and every command that sends nothing, never loads it.
let nodemailerLib: Promise<typeof import('nodemailer')['default']> | undefined;
function lazyTransport(options: Parameters<typeof import('nodemailer')['default']['createTransport']>[0]): () => Promise<Transporter> {
  let t: Promise<Transporter> | undefined;
  return () => (t ??= (nodemailerLib ??= import('nodemailer').then((m) => m.default)).then((n) => n.createTransport(options)));
}

export interface MailTransport {
  readonly kind: 'smtp' | 'sendmail' | 'file';
  send(msg: OutboxMessage): Promise<void>;
  close(): void;
}

export function mailOptions(msg: OutboxMessage, from: string, replyTo?: string): Mail.Options {
  const opts: Mail.Options = {
    from, to: msg.recipients, subject: msg.subject, text: msg.body,
    messageId: msg.message_id,
    // The creation time, not the send time: a retried message is the same message.
    date: new Date(msg.created_at),
    headers: { 'X-Kernel-Herald-Template': msg.template },
  };
  if (msg.cc.length) opts.cc = msg.cc;
  if (replyTo) opts.replyTo = replyTo;
  if (msg.in_reply_to) opts.inReplyTo = msg.in_reply_to;
  if (msg.refs) opts.references = msg.refs;
  return opts;
}

export interface SmtpOptions {
  host: string; port: number; secure: boolean; starttls: 'opportunistic' | 'required' | 'never';
  user?: string | undefined; password?: string | undefined; pool: boolean; timeoutMs: number;
}

export function smtpTransport(o: SmtpOptions, from: string, replyTo?: string): MailTransport {
  let opened: Transporter | undefined;
  const open = lazyTransport({
    host: o.host, port: o.port, secure: o.secure, pool: o.pool,
    ignoreTLS: o.starttls === 'never', requireTLS: o.starttls === 'required',
    connectionTimeout: o.timeoutMs, greetingTimeout: o.timeoutMs, socketTimeout: o.timeoutMs,
    ...(o.user ? { auth: { user: o.user, pass: o.password ?? '' } } : {}),
  });
  return {
    kind: 'smtp',
    async send(msg) {
      opened = await open();
      await opened.sendMail(mailOptions(msg, from, replyTo));
    },
    close() {
      opened?.close();
    },
  };
}

/**
 * Piped to the local MTA as `sendmail -i -t`: recipients from the To and Cc
 * headers, a lone dot not an end. The local MTA accepts in milliseconds and
 * takes over the retries, which keeps SMTP's duplicate window (end of DATA to
 * reply) as short as it gets. A non-zero exit is a failed send.
 */
export function sendmailTransport(o: { path: string; timeoutMs: number }, from: string, replyTo?: string): MailTransport {
  const build = lazyTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'sendmail',
    async send(msg) {
      const info = await (await build()).sendMail(mailOptions(msg, from, replyTo));
      await new Promise<void>((resolve, reject) => {
        const child = spawn(o.path, ['-i', '-t'], { stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${o.path}: no exit within ${o.timeoutMs} ms`)); }, o.timeoutMs);
        child.stderr.on('data', (c: Buffer) => { if (stderr.length < 2000) stderr += c.toString(); });
        child.on('error', (err) => { clearTimeout(timer); reject(new Error(`${o.path}: ${err.message}`)); });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (code === 0) resolve();
          else reject(new Error(`${o.path} exited ${code ?? signal}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}`));
        });
        child.stdin.on('error', () => undefined); // an MTA that exits early: its exit status tells why
        child.stdin.end(info.message as Buffer);
      });
    },
    close() {},
  };
}

/** One .eml per message, named after its Message-ID: writing it twice is harmless. */
export function fileTransport(dir: string, from: string, replyTo?: string): MailTransport {
  const build = lazyTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    async send(msg) {
      mkdirSync(dir, { recursive: true });
      const info = await (await build()).sendMail(mailOptions(msg, from, replyTo));
      const name = `${msg.created_at.replace(/[:.]/g, '-')}_${msg.message_id.replace(/[^A-Za-z0-9.@-]/g, '_')}.eml`;
      const tmp = join(dir, `.${name}.tmp`);
      writeFileSync(tmp, info.message as Buffer);
      renameSync(tmp, join(dir, name));
    },
    close() {},
  };
}
