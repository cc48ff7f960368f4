// The SMTP server the outbox bench sends to, in a process of its own as an
// MTA is: it accepts every message once its DATA is complete and counts it,
// keeping nothing. Driven over IPC: it sends {port} when listening, answers
// 'count' with {count}, and exits on 'stop'.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

let count = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => { count += 1; callback(null); });
  },
});
server.on('error', () => undefined);
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.server.address() as AddressInfo).port }));
process.on('message', (m) => {
  if (m === 'count') process.send?.({ count });
  if (m === 'stop') server.close(() => process.exit(0));
});
