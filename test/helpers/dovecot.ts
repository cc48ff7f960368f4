import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './util.js';

const USER = 'vmail';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function ids(): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', USER], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const g = spawnSync('id', ['-g', USER], { encoding: 'utf8' });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * A throwaway Dovecot (Debian's dovecot-imapd) on 127.0.0.1: its own config,
 * users and maildir under a temporary folder, run as the unprivileged vmail
 * user (Dovecot never touches mail as root). Stop and start it again to test
 * reconnects; the port and the mail stay.
 */
export class Dovecot {
  readonly tmp = tempDir();
  readonly user = 'herald';
  readonly password = 'secret';
  port = 0;
  /** With tls: the imaps port, and the self-signed certificate clients must trust. */
  tlsPort = 0;
  caFile = '';
  private proc: ChildProcess | undefined;

  constructor(private readonly tls = false) {}

  static available(): boolean {
    return spawnSync('sh', ['-c', 'command -v dovecot'], { stdio: 'ignore' }).status === 0 && ids() !== undefined;
  }

  private get confPath(): string {
    return join(this.tmp.dir, 'dovecot.conf');
  }

  async start(): Promise<void> {
    const who = ids();
    if (!who) throw new Error(`no ${USER} user: .ci/run creates it (useradd --system ${USER})`);
    if (this.port === 0) {
      this.port = await freePort();
      const dir = this.tmp.dir;
      let ssl = 'ssl = no';
      if (this.tls) {
        this.tlsPort = await freePort();
        this.caFile = join(dir, 'cert.pem');
        const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
          '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', this.caFile], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
        ssl = `ssl = yes\nssl_cert = <${this.caFile}\nssl_key = <${join(dir, 'key.pem')}`;
      }
      for (const d of ['base', 'state', 'mail']) mkdirSync(join(dir, d), { recursive: true });
      writeFileSync(join(dir, 'users'), `${this.user}:{PLAIN}${this.password}\n`);
      writeFileSync(this.confPath, `
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/base
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
${ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u/Maildir
first_valid_uid = 1
default_internal_user = ${USER}
default_internal_group = ${USER}
default_login_user = ${USER}
mail_uid = ${who.uid}
mail_gid = ${who.gid}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${who.uid} gid=${who.gid} home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${this.port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${this.tlsPort}
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    user = ${USER}
  }
}
`);
      chmodSync(dir, 0o755);
      for (const d of ['mail', 'state', 'base']) chownSync(join(dir, d), who.uid, who.gid);
      chownSync(dir, who.uid, who.gid);
    }
    this.proc = spawn('dovecot', ['-F', '-c', this.confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    this.proc.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
    await this.waitListening(() => stderr);
  }

  private async waitListening(stderr: () => string): Promise<void> {
    const { connect } = await import('node:net');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect(this.port, '127.0.0.1');
        s.once('data', () => { s.destroy(); resolve(true); });
        s.once('error', () => resolve(false));
      });
      if (ok) return;
      if (this.proc?.exitCode !== null) throw new Error(`dovecot exited: ${stderr()}`);
      if (Date.now() > deadline) throw new Error(`dovecot did not listen on ${this.port}: ${stderr()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * Stops the server as an outage would: the master, and the imap processes
   * serving open connections, which the master leaves running when it exits.
   */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const children = spawnSync('pgrep', ['-P', String(p.pid)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
    const done = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGTERM');
    await done;
    for (const pid of children) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    this.proc = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    this.tmp.cleanup();
  }
}
