// Reading a reply to an assignment request: pure functions of the mail's parts.

export type Verb = 'claim' | 'ack' | 'decline';

/** The token every request carries in its subject, as "[KH-<20 hex digits>]". */
const SUBJECT_TOKEN = /\[KH-([0-9a-f]{20})\]/i;

export function subjectToken(subject: string): string | undefined {
  return SUBJECT_TOKEN.exec(subject)?.[1]?.toLowerCase();
}

export function tokenTag(token: string): string {
  return `[KH-${token}]`;
}

/** Every Message-ID an In-Reply-To or References header names. */
export function referencedIds(headers: Record<string, string>): string[] {
  const text = `${headers['in-reply-to'] ?? ''} ${headers.references ?? ''}`;
  return [...new Set(text.match(/<[^<>\s]+>/g) ?? [])];
}

/** The bare address of a From header ("Alice <alice@example.org>" -> "alice@example.org"). */
export function addressOf(from: string): string | undefined {
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(from);
  const bare = angle?.[1] ?? /([^\s<>,;"]+@[^\s<>,;"]+)/.exec(from)?.[1];
  return bare?.toLowerCase();
}

const WORDS: [RegExp, Verb][] = [
  [/^(claim|claimed|claiming)$/, 'claim'],
  [/^(ack|acked|acknowledged?|accept|accepted)$/, 'ack'],
  [/^(decline|declined|declining)$/, 'decline'],
];

/**
 * The answer: the first word of the first line that is neither empty nor
 * quoted. Only the exact words the templates suggest count; "no problem, I'll
 * do it" must not read as a decline, so free text is never guessed at.
 */
export function replyVerb(text: string): Verb | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('>')) continue;
    const word = (line.split(/[\s,.;:!]+/)[0] ?? '').toLowerCase();
    return WORDS.find(([re]) => re.test(word))?.[1];
  }
  return undefined;
}
