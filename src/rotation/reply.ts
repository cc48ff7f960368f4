// Reading a reply to an assignment request: pure functions of the mail's parts.
import { createHmac } from 'node:crypto';

export type Verb = 'claim' | 'ack' | 'decline';

/** What a reply's first line may say: the verbs, and `confirm` (a claim made through a list, confirmed). */
/** The words of the release procedure (tested, failed, published, abandon) beside the assignment's. */
export type StepWord = 'tested' | 'failed' | 'published' | 'abandon';
export type ReplyWord = Verb | 'confirm' | StepWord;

/** Every request copy carries its token in the subject as "[KH-<20 hex digits>]". */
const SUBJECT_TOKEN = /\[KH-([0-9a-f]{20})\]/i;
/** ... and in its Message-ID, "<kh.<token>.<n>.<kind>@domain>". */
const ID_TOKEN = /^<kh\.([0-9a-f]{20})\./i;

export function subjectToken(subject: string): string | undefined {
  return SUBJECT_TOKEN.exec(subject)?.[1]?.toLowerCase();
}

export function tokenTag(token: string): string {
  return `[KH-${token}]`;
}

/**
 * The token issued for one copy of a request: an HMAC over the assignment and
 * its audience (a person, or a list address), so each recipient's copy has
 * its own and nobody can derive another's from theirs.
 */
export function issueToken(key: string, assignmentId: number | string, audience: { kind: 'person'; person: string } | { kind: 'list'; address: string }): string {
  const who = audience.kind === 'person' ? audience.person : audience.address.toLowerCase();
  return createHmac('sha256', key).update(`${assignmentId}\0${audience.kind}\0${who}`).digest('hex').slice(0, 20);
}

/** Every Message-ID an In-Reply-To or References header names. */
export function referencedIds(headers: Record<string, string>): string[] {
  const text = `${headers['in-reply-to'] ?? ''} ${headers.references ?? ''}`;
  return [...new Set(text.match(/<[^<>\s]+>/g) ?? [])];
}

/** The tokens a reply carries: its subject's, and those of our requests it references (deduplicated). */
export function replyTokens(subject: string, headers: Record<string, string>): { subject: string | undefined; referenced: string[] } {
  const referenced = [...new Set(referencedIds(headers).map((id) => ID_TOKEN.exec(id)?.[1]?.toLowerCase()).filter((t): t is string => t !== undefined))];
  return { subject: subjectToken(subject), referenced };
}

/** The bare address of a From header ("Alice <alice@example.org>" -> "alice@example.org"). */
export function addressOf(from: string): string | undefined {
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(from);
  const bare = angle?.[1] ?? /([^\s<>,;"]+@[^\s<>,;"]+)/.exec(from)?.[1];
  return bare?.toLowerCase();
}

const WORDS: [RegExp, ReplyWord][] = [
  [/^(claim|claimed)$/, 'claim'],
  [/^(ack|acked|acknowledged?|accept|accepted)$/, 'ack'],
  [/^(decline|declined)$/, 'decline'],
  [/^(confirm|confirmed)$/, 'confirm'],
  [/^(tested|test ok|tested ok|works)$/, 'tested'],
  [/^(failed|test failed|test-failed|broken)$/, 'failed'],
  [/^(published|uploaded)$/, 'published'],
  [/^(abandon|abandoned)$/, 'abandon'],
];

/** A line that starts the quoted original or the signature: the answer ends there. */
function endOfAnswer(line: string): boolean {
  return line.startsWith('>') || line === '--' || /^-----\s*original message/i.test(line) || /^on .+ wrote:$/i.test(line) || /^_{5,}$/.test(line);
}

/**
 * The answer: the first line that is neither empty nor quoted must be one of
 * the words and nothing else (trailing punctuation aside). The lines after it,
 * up to the quote or signature, are the note. "Accepted: I am out of office"
 * or "no problem, I'll claim it" are sentences, not answers: free text is
 * never guessed at.
 */
export function replyAnswer(text: string): { word: ReplyWord; note: string } | undefined {
  const lines = text.split(/\r?\n/);
  let i = 0;
  // Bottom-posting: the quoted original may come first.
  while (i < lines.length && (lines[i]!.trim() === '' || lines[i]!.trim().startsWith('>') || /^on .+ wrote:$/i.test(lines[i]!.trim()))) i += 1;
  const first = (lines[i] ?? '').trim();
  if (first === '' || endOfAnswer(first)) return undefined;
  const word = first.replace(/[.!]+$/, '').toLowerCase();
  const found = WORDS.find(([re]) => re.test(word))?.[1];
  if (!found) return undefined;
  const note: string[] = [];
  for (const raw of lines.slice(i + 1)) {
    const line = raw.trim();
    if (endOfAnswer(line)) break;
    note.push(line);
  }
  return { word: found, note: note.join('\n').trim().slice(0, 1000) };
}

/** The verb alone (for callers that need no note). */
export function replyVerb(text: string): ReplyWord | undefined {
  return replyAnswer(text)?.word;
}

const OOO_SUBJECT = /(^|\W)(auto(matic|matische)?[ _-]?(reply|response|antwort|respon[sd]er)|out of (the )?office|abwesenheit\w*|absence|vacation reply|r[\u00e9e]ponse automatique|respuesta autom[\u00e1a]tica|away from (my|the) (desk|office))(\W|$)/i;

/**
 * Why a mail looks automatic, or undefined. The marks the mail world uses:
 * RFC 3834 Auto-Submitted, the X-Autoreply family, Microsoft's
 * X-Auto-Response-Suppress and X-Autogenerated, Precedence, an empty
 * Return-Path (bounces and most vacation programs), an out-of-office subject.
 * An automatic mail is never acted on and never answered.
 */
export function automaticReason(headers: Record<string, string>, subject: string): string | undefined {
  const h = (name: string) => headers[name]?.trim();
  const auto = h('auto-submitted');
  if (auto && !/^no\b/i.test(auto)) return `Auto-Submitted: ${auto}`;
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-autogenerated']) {
    const v = h(name);
    if (v !== undefined && !/^(no|false)$/i.test(v)) return `${name}: ${v}`;
  }
  const suppress = h('x-auto-response-suppress');
  if (suppress && /\b(all|oof|autoreply)\b/i.test(suppress)) return `X-Auto-Response-Suppress: ${suppress}`;
  const precedence = h('precedence');
  if (precedence && /^(bulk|junk|auto_reply)$/i.test(precedence)) return `Precedence: ${precedence}`;
  const returnPath = h('return-path');
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath)) return 'an empty Return-Path';
  if (OOO_SUBJECT.test(subject)) return `an out-of-office subject ("${subject.slice(0, 80)}")`;
  return undefined;
}

/**
 * What the receiving server's own Authentication-Results (RFC 8601) say
 * against the mail, or undefined. Only the topmost header with our
 * `authserv_id` counts (the one our server added; deeper ones came with the
 * mail and prove nothing). Refused: none from our server at all, a DMARC
 * fail, or DKIM results of which none passed and one failed.
 */
export function authenticationProblem(values: string[], authservId: string): string | undefined {
  const ours = values.find((v) => (v.split(';')[0] ?? '').trim().split(/\s+/)[0]?.toLowerCase() === authservId.toLowerCase());
  if (ours === undefined) return `no Authentication-Results from ${authservId}`;
  const results = ours.replace(/\([^)]*\)/g, '').split(';').slice(1)
    .map((part) => /^\s*([a-z0-9-]+)\s*=\s*([a-z]+)/i.exec(part))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase() }));
  if (results.some((r) => r.method === 'dmarc' && r.result === 'fail')) return `${authservId} reports dmarc=fail`;
  const dkim = results.filter((r) => r.method === 'dkim');
  if (dkim.length && !dkim.some((r) => r.result === 'pass') && dkim.some((r) => r.result === 'fail' || r.result === 'permerror')) return `${authservId} reports dkim=fail`;
  return undefined;
}
