import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/**
 * A real SMTP server on 127.0.0.1 that keeps what it accepts; it can refuse
 * for a while, or be slow to answer the end of DATA. A message counts as
 * received once its DATA is complete, as with a real MTA that has queued it
 * before replying; `cut` counts the messages whose client went away in the
 * window between the end of DATA and the reply (SMTP's own duplicate window).
 */
export class SmtpSink {
  readonly received: ParsedMail[] = [];
  refusals = 0;
  /** Messages whose connection closed after their DATA ended and before the reply. */
  cut = 0;
  /**
   * Connections that closed after a reply to DATA and before the client's
   * next command: the client may have died before it read the reply (the
   * other half of SMTP's window). An upper bound: a client that read it and
   * then sat idle counts too.
   */
  unconfirmed = 0;
  /** Called when a message's DATA is complete, before the reply. */
  onReceived: ((mail: ParsedMail) => void) | undefined;
  /** Milliseconds between the end of DATA and the reply. */
  replyDelayMs = 0;
  private refuseNext = 0;
  private readonly awaitingReply = new Set<string>();
  private readonly repliedLast = new Set<string>();
  private server: SMTPServer | undefined;
  port = 0;

  /** The next n messages are refused with a temporary 451. */
  refuse(n: number): void {
    this.refuseNext = n;
  }

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onClose: (session) => {
        if (this.awaitingReply.delete(session.id)) this.cut += 1;
        if (this.repliedLast.delete(session.id)) this.unconfirmed += 1;
      },
      onMailFrom: (_address, session, callback) => {
        this.repliedLast.delete(session.id);
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (this.refuseNext > 0) {
            this.refuseNext -= 1;
            this.refusals += 1;
            const err = Object.assign(new Error('try again later'), { responseCode: 451 });
            callback(err);
            return;
          }
          this.awaitingReply.add(session.id);
          const reply = (err?: Error) => {
            if (!this.awaitingReply.delete(session.id)) return; // the client is gone: counted as cut
            this.repliedLast.add(session.id);
            callback(err ?? null);
          };
          simpleParser(Buffer.concat(chunks)).then((mail) => {
            this.received.push(mail);
            this.onReceived?.(mail);
            if (this.replyDelayMs > 0) setTimeout(() => reply(), this.replyDelayMs);
            else reply();
          }, reply);
        });
      },
    });
    // A client killed mid-session resets its connection: that is the test, not a failure of the sink.
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
