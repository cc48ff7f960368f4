import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import ICAL from 'ical.js';
import Parser from 'rss-parser';
import { kdistItem, rssFeed, World } from '../helpers/world.js';

/** The calendars and the announcement feed on a real daemon's HTTP listener, and who may read them. */
describe('rotation calendars and the announcement feed over HTTP, and who may read them', function () {
  this.timeout(30_000);
  let w: World;
  const clock = { now: () => new Date('2026-03-04T10:00:00Z') };
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); ICAL.TimezoneService.reset(); });

  const team = {
    people: { alice: { name: 'Alice Example', email: 'alice@example.org' }, bob: { name: 'Bob Example', email: 'bob@example.org' } },
    rotations: { support: { members: ['alice', 'bob'], timezone: 'Europe/Berlin', handoff: { start: '2026-03-02T09:00', every: '1w' } } },
  };
  const portOf = () => Number(String(w.logs.lines.findLast((l) => l.message === 'http listening')!.address).split(':').pop());
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`http://127.0.0.1:${portOf()}${path}`, { headers });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text(), auth: res.headers.get('www-authenticate') };
  };
  const events = (ics: string) => {
    const cal = new ICAL.Component(ICAL.parse(ics));
    for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
    return cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  };

  it('on loopback: /rotation/NAME.ics and /rotation/NAME/PERSON.ics, a half-year ahead, in the rotation\'s zone; unknown ones are 404', async () => {
    const d = w.daemon(w.config([], [], { ...team, http: { listen: '127.0.0.1:0' } }), clock);
    await d.start();
    const all = await get('/rotation/support.ics');
    assert.equal(all.status, 200);
    assert.equal(all.type, 'text/calendar; charset=utf-8');
    const e = events(all.text);
    // 30 days back to 183 ahead: about 31 weekly periods, alternating.
    assert.ok(e.length >= 30 && e.length <= 32, String(e.length));
    const monday = e.find((x) => x.startDate.toJSDate().toISOString() === '2026-03-09T08:00:00.000Z')!;
    assert.equal(monday.summary, 'On duty: Bob Example (support)');
    assert.equal(monday.startDate.zone.tzid, 'Europe/Berlin');
    // After Berlin's clocks go forward (29 March), 09:00 local is 07:00 UTC.
    assert.ok(e.some((x) => x.startDate.toJSDate().toISOString() === '2026-03-30T07:00:00.000Z' && x.startDate.hour === 9));
    const bob = events((await get('/rotation/support/bob.ics')).text);
    assert.ok(bob.length > 10 && bob.every((x) => x.summary === 'On duty: Bob Example (support)'));
    assert.equal((await get('/rotation/nope.ics')).status, 404);
    assert.equal((await get('/rotation/support/carol.ics')).status, 404);
    assert.equal((await get('/rotation/support.ics?x=1')).status, 200, 'a query string is ignored');
    await d.stop();
  });

  it('with http.token_file: the token as a bearer or as the basic-auth password, nothing else; /healthz stays open', async () => {
    const tokenFile = join(w.tmp.dir, 'http-token');
    writeFileSync(tokenFile, 's3cret-token\n');
    const d = w.daemon(w.config([], [], { ...team, http: { listen: '127.0.0.1:0', token_file: tokenFile } }), clock);
    await d.start();
    const none = await get('/rotation/support.ics');
    assert.equal(none.status, 401);
    assert.match(none.auth ?? '', /^Basic realm="kernel-herald"/);
    assert.ok(!none.text.includes('Alice'));
    assert.equal((await get('/rotation/support.ics', { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await get('/rotation/support.ics', { authorization: 'Bearer s3cret-token' })).status, 200);
    const basic = (pw: string) => `Basic ${Buffer.from(`calendar:${pw}`).toString('base64')}`;
    assert.equal((await get('/rotation/support.ics', { authorization: basic('s3cret-token') })).status, 200);
    assert.equal((await get('/rotation/support.ics', { authorization: basic('s3cret-tokeN') })).status, 401);
    assert.equal((await get('/healthz')).status, 200);
    assert.equal((await get('/rotation/nope.ics')).status, 401, 'a stranger does not learn what exists');
    assert.equal((await get('/rotation/nope.ics', { authorization: 'Bearer s3cret-token' })).status, 404);
    assert.ok(!JSON.stringify(w.logs.lines).includes('s3cret'), 'the token is never logged');
    await d.stop();
  });

  it('/feed.atom: each kernel notice mailed is an entry, read back by rss-parser and well-formed to fast-xml-parser; ids stay across a restart; other mail stays out', async () => {
    w.feeds.set('/k.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.1', 'stable')]));
    const notice = { id: 'notice', on: 'kernel.released', do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] };
    const other = { id: 'other', on: 'kernel.released', do: [{ email: { template: 'watcher-quiet', to: ['ops@example.org'] } }] };
    const cfg = w.config([{ id: 'k', type: 'rss', url: w.feeds.url('/k.xml') }], [notice, other], { http: { listen: '127.0.0.1:0' } });
    let d = w.daemon(cfg, clock);
    await d.start();
    await d.pollOnce();
    const empty = await new Parser().parseString((await get('/feed.atom')).text);
    assert.equal(empty.items.length, 0, 'the baseline mailed nothing');
    w.feeds.set('/k.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.2', 'stable'), kdistItem('6.6.1', 'stable')]));
    await d.pollOnce();
    assert.equal(w.smtp.received.length, 2, 'the notice and the other mail');
    const r = await get('/feed.atom');
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/atom+xml; charset=utf-8');
    assert.equal(XMLValidator.validate(r.text), true);
    const feed = await new Parser().parseString(r.text);
    assert.equal(feed.items.length, 1);
    const entry = feed.items[0]!;
    assert.equal(entry.title, w.smtp.received.find((m) => m.to?.text === 'users@example.org')!.subject);
    assert.match(entry.title ?? '', /^New kernel 6\.6\.2 /);
    assert.match(entry.content ?? '', /Version: +6\.6\.2/);
    assert.match(entry.id ?? '', /^urn:kernel-herald:mail:[0-9a-f]{32}$/);
    await d.stop();
    d = w.daemon(cfg, clock);
    await d.start();
    const again = await new Parser().parseString((await get('/feed.atom')).text);
    assert.deepEqual(again.items.map((i) => i.id), [entry.id]);
    assert.equal(/<id>(urn:kernel-herald:feed:\w+)<\/id>/.exec(r.text)?.[1], /<id>(urn:kernel-herald:feed:\w+)<\/id>/.exec((await get('/feed.atom')).text)?.[1]);
    await d.stop();
  });

  it('off loopback without a token: the pages are refused, saying what to set', async () => {
    const d = w.daemon(w.config([], [], { ...team, http: { listen: '0.0.0.0:0' } }), clock);
    await d.start();
    const r = await get('/rotation/support.ics');
    assert.equal(r.status, 403);
    assert.match(r.text, /set http\.token_file/);
    assert.equal((await get('/healthz')).status, 200);
    await d.stop();
  });
});
