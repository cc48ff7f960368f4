import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import Parser from 'rss-parser';
import { announcementFeed, xml } from '../../src/http/atom.js';
import type { OutboxMessage } from '../../src/store/outbox.js';

const TOKEN = '0123456789abcdef0123';
let n = 0;
function sent(over: Partial<OutboxMessage>): OutboxMessage {
  n += 1;
  return {
    id: n, message_id: `<kh.${n}@x>`, rule_run_id: null, event_id: n, release_id: null, template: 'kernel-notice', thread_key: null,
    recipients: ['users@example.org'], cc: [], subject: `New kernel ${n}`, body: `body ${n}`, in_reply_to: null, refs: null,
    status: 'sent', attempts: 1, next_attempt_at: '2026-03-01T00:00:00.000Z', last_error: null,
    created_at: '2026-03-01T00:00:00.000Z', sent_at: `2026-03-0${n}T00:00:00.000Z`, ...over,
  };
}

describe('announcement feed (Atom)', () => {
  it('a copy sent to one person shows neither their reply token nor its tag; copies of one announcement are one entry', async () => {
    const personal = sent({ event_id: 7, subject: `New kernel 6.6.2 [KH-${TOKEN}]`, message_id: `<kh.${TOKEN}.1@x>`, body: `Reply to this mail (token ${TOKEN.toUpperCase()}) to answer.`, sent_at: '2026-03-02T00:00:00.000Z' });
    const second = sent({ event_id: 7, subject: `New kernel 6.6.2 [KH-ffffffffffffffffffff]`, sent_at: '2026-03-02T00:00:01.000Z' });
    const text = announcementFeed({ from: 'Herald <h@example.org>', title: 'Kernel announcements', mail: [second, personal] });
    assert.ok(!text.toLowerCase().includes(TOKEN), text);
    assert.ok(!text.includes('[KH-'));
    assert.equal(XMLValidator.validate(text), true);
    const feed = await new Parser().parseString(text);
    assert.deepEqual(feed.items.map((i) => [i.title, i.content]), [['New kernel 6.6.2', 'Reply to this mail (token …) to answer.']]);
  });

  it('newest first; ids from the Message-ID, stable and not the Message-ID itself; the feed id from the sender', async () => {
    const a = sent({ message_id: '<kh.a@x>', sent_at: '2026-03-01T00:00:00.000Z' });
    const b = sent({ message_id: '<kh.b@x>', sent_at: '2026-03-03T00:00:00.000Z' });
    const one = await new Parser().parseString(announcementFeed({ from: 'h@example.org', title: 't', mail: [b, a] }));
    const two = await new Parser().parseString(announcementFeed({ from: 'H@Example.org', title: 't', mail: [b, a] }));
    assert.deepEqual(one.items.map((i) => i.title), [b.subject, a.subject]);
    assert.deepEqual(one.items.map((i) => i.id), two.items.map((i) => i.id));
    assert.notEqual(one.items[0]!.id, one.items[1]!.id);
    assert.ok(!one.items.some((i) => i.id?.includes('kh.')));
    const feedId = (from: string) => /<id>(urn:kernel-herald:feed:[0-9a-f]{32})<\/id>/.exec(announcementFeed({ from, title: 't', mail: [] }))?.[1];
    assert.ok(feedId('h@example.org'));
    assert.equal(feedId('h@example.org'), feedId('H@Example.org'));
    assert.notEqual(feedId('h@example.org'), feedId('other@example.org'));
    assert.match(announcementFeed({ from: 'h@example.org', title: 't', mail: [b, a] }), /<updated>2026-03-03T00:00:00.000Z<\/updated>\n {2}<author>/);
  });

  it('text is escaped, and characters XML cannot carry are dropped', () => {
    assert.equal(xml('a<b>&"c\'\u0001\uFFFE😀'), 'a&lt;b&gt;&amp;&quot;c&apos;😀');
    const text = announcementFeed({ from: 'x', title: 't', mail: [sent({ subject: 'x </title><script>', body: 'a\u0000b' })] });
    assert.equal(XMLValidator.validate(text), true);
    assert.ok(!text.includes('<script>'));
  });
});
