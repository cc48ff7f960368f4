#!/usr/bin/env node
// Mutation testing of the lines that carry the daemon's promises (commit,
// send, dispatch, move a cursor), one Stryker run per group so each mutant
// runs only the tests that can notice it. A whole-suite run per mutant would
// take days on a small machine.
//
//   npm run mutate                  every group
//   npm run mutate -- rules mail    some groups
//   npm run mutate -- --recheck     only the lines of the open survivors of
//                                   the last reports, after new tests
//
// Reports: bench/out/mutation-GROUP.json; the summary table at the end is what
// bench/README.md keeps.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parse } from '@babel/parser';

// The CLI processes the tests start run the (mutated) sources, not the bundle.
const MOCHA = 'KH_TEST_CLI=src npx mocha --no-config -n import=tsx --timeout 60000 --exit --bail --reporter dot';

/**
 * mutate: per file, the functions that commit, send, dispatch or move a
 * cursor, by name (`Class.method`, a function, or an object's method). They
 * become Stryker's file:lines ranges at run time, so editing a file does not
 * leave a range pointing at the wrong lines.
 */
export const GROUPS = {
  ingest: {
    mutate: { 'src/ingest/ingest.ts': ['ingest', 'placeKernel'], 'src/ingest/replay.ts': ['replayIngest'] },
    tests: ['test/unit/ingest.test.ts', 'test/unit/store.test.ts', 'test/unit/stream.test.ts', 'test/integration/replay.test.ts', 'test/integration/pipeline.test.ts'],
  },
  rules: {
    mutate: {
      'src/rules/engine.ts': ['RulesEngine.processPending', 'RulesEngine.processPendingYielding', 'RulesEngine.processEvent', 'RulesEngine.runRule'],
      'src/rules/actions/email/index.ts': ['run'],
    },
    tests: ['test/unit/engine.test.ts', 'test/unit/procedure.test.ts', 'test/unit/procedure-steps.test.ts', 'test/integration/pipeline.test.ts', 'test/integration/crash.test.ts'],
  },
  mail: {
    mutate: {
      'src/mail/outbox-worker.ts': ['OutboxWorker.deliverDue', 'OutboxWorker.failing', 'OutboxWorker.stop', 'OutboxWorker.pass', 'OutboxWorker.sendOne'],
      'src/store/outbox.ts': ['OutboxStore.enqueue', 'OutboxStore.due', 'OutboxStore.nextDueAt', 'OutboxStore.markSent'],
      'src/rotation/mailer.ts': ['queueRequest'],
    },
    tests: ['test/unit/assignments.test.ts', 'test/unit/assignment-replies.test.ts', 'test/integration/outbox.test.ts', 'test/integration/stop.test.ts', 'test/integration/pipeline.test.ts', 'test/integration/health.test.ts', 'test/integration/crash.test.ts', 'test/integration/assignment.test.ts'],
  },
  // When the outbox runs: at once for this process's mail, at a retry's time, and at the regular interval only when another process may have queued some.
  schedule: {
    mutate: { 'src/mail/outbox-schedule.ts': ['OutboxSchedule.arm', 'OutboxSchedule.wait', 'OutboxSchedule.stop'] },
    tests: ['test/unit/outbox-schedule.test.ts', 'test/integration/outbox-schedule.test.ts', 'test/integration/outbox.test.ts', 'test/integration/stop.test.ts'],
  },
  rotation: {
    mutate: {
      'src/rotation/replies.ts': ['ReplyHandler.handle', 'ReplyHandler.resolve', 'ReplyHandler.handleOne', 'ReplyHandler.handleStep'],
      'src/rotation/service.ts': ['AssignmentService.act', 'AssignmentService.ignore', 'AssignmentService.confirmClaim', 'AssignmentService.refuse'],
    },
    tests: ['test/unit/assignments.test.ts', 'test/unit/assignment-replies.test.ts', 'test/unit/procedure.test.ts', 'test/unit/procedure-steps.test.ts', 'test/integration/assignment.test.ts'],
  },
  // Webhooks: queued by the action, sent and given up on by the outbox worker.
  webhook: {
    mutate: {
      'src/rules/actions/webhook/index.ts': ['run'],
      'src/mail/outbox-worker.ts': ['OutboxWorker.sendOne', 'OutboxWorker.noteFailure', 'refusedForGood'],
      'src/mail/webhook-sender.ts': ['deliverWebhook'],
    },
    tests: ['test/integration/webhook.test.ts', 'test/integration/webhook-sender.test.ts', 'test/integration/outbox.test.ts'],
  },
  imap: {
    mutate: { 'src/watchers/imap/index.ts': ['ImapWatcher.catchUp', 'ImapWatcher.readOne'] },
    tests: ['test/integration/imap.test.ts', 'test/integration/crash.test.ts'],
  },
  procedure: {
    mutate: {
      'src/procedure/service.ts': ['ProcedureService.start', 'ProcedureService.observe', 'ProcedureService.mayAct', 'ProcedureService.actOn', 'ProcedureService.refuseReply', 'ProcedureService.tell', 'ProcedureService.apply', 'ProcedureService.effect', 'ProcedureService.emit', 'ProcedureService.checkDeadlines', 'ProcedureService.checkRepos'],
      'src/procedure/machine.ts': ['step'],
    },
    tests: ['test/unit/procedure-machine.test.ts', 'test/unit/procedure.test.ts', 'test/unit/procedure-steps.test.ts', 'test/unit/procedure-records.test.ts', 'test/integration/publish-repo.test.ts'],
  },
  builds: {
    // The package gate (checkGate) only waits; everything else here dispatches or records.
    mutate: {
      'src/builds/tracker.ts': ['BuildTracker.step', 'BuildTracker.dispatch', 'BuildTracker.cancelFor', 'BuildTracker.stopRun', 'BuildTracker.cancelled', 'BuildTracker.started', 'BuildTracker.finish', 'BuildTracker.completeIfDone'],
    },
    tests: ['test/unit/builds.test.ts', 'test/integration/builds.test.ts'],
  },
};

/** Every function, method and object method in a TypeScript file, by name, with its lines. */
export function functionsIn(file) {
  const ast = parse(readFileSync(file, 'utf8'), { sourceType: 'module', plugins: ['typescript'] });
  const found = new Map();
  const walk = (n, cls) => {
    if (!n || typeof n.type !== 'string') return;
    let name;
    if (n.type === 'FunctionDeclaration') name = n.id?.name;
    else if (n.type === 'ClassMethod' || n.type === 'ClassPrivateMethod') name = `${cls}.${n.key.name ?? n.key.id?.name}`;
    else if (n.type === 'ObjectMethod') name = n.key.name;
    else if (n.type === 'VariableDeclarator' && /Function/.test(n.init?.type ?? '') && cls === undefined) name = n.id.name;
    if (name && !found.has(name)) found.set(name, [n.loc.start.line, n.loc.end.line]);
    const inner = n.type === 'ClassDeclaration' ? n.id?.name : cls;
    for (const [k, v] of Object.entries(n)) {
      if (k === 'loc') continue;
      if (Array.isArray(v)) for (const x of v) walk(x, inner);
      else if (v && typeof v === 'object') walk(v, inner);
    }
  };
  walk(ast.program, undefined);
  return found;
}

/** A group's functions as Stryker's file:lines ranges; a name that is gone is an error, not a silent skip. */
export function ranges(group) {
  const out = [];
  for (const [file, names] of Object.entries(group.mutate)) {
    const fns = functionsIn(file);
    for (const n of names) {
      const at = fns.get(n);
      if (!at) throw new Error(`${file}: no function ${n} (known: ${[...fns.keys()].join(', ')})`);
      out.push(`${file}:${at[0]}-${at[1]}`);
    }
  }
  return out;
}

function run(name, recheck = false) {
  const g = GROUPS[name];
  const mutate = recheck ? recheckRanges(name) : ranges(g);
  if (mutate.length === 0) { console.log(`${name}: nothing open to check again`); return; }
  const suffix = recheck ? '-recheck' : '';
  const base = JSON.parse(readFileSync('bench/stryker.config.json', 'utf8'));
  const cfg = {
    ...base,
    mutate,
    commandRunner: { command: `${MOCHA} ${g.tests.join(' ')}` },
    jsonReporter: { fileName: `bench/out/mutation-${name}${suffix}.json` },
    reporters: ['progress', 'json'],
  };
  delete cfg.$schema;
  const file = `bench/out/stryker-${name}${suffix}.json`;
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  const r = spawnSync('npx', ['stryker', 'run', file], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`stryker failed for group ${name} (exit ${r.status})`);
}

/**
 * Survivors looked at and left, each with why: equivalent mutants and guards
 * another layer repeats. A survivor is matched by its file and the text of
 * its line (and, where one line holds several decisions, the replacement;
 * where the text recurs, the line before it).
 * Anything not here and not a log line is "open": the target is none open.
 */
export const EXPLAINED = [
  // builds
  { file: 'src/builds/tracker.ts', line: 'if (b.deadline && b.deadline <= this.iso()) {', why: 'at the same millisecond either way: the next look gives up' },
  { file: 'src/builds/tracker.ts', line: 'await trigger.cancel?.(t, b, this.ctx()).catch(', why: 'every trigger has cancel, and the catch only logs' },
  { file: 'src/builds/tracker.ts', line: 'const u: BuildUpdate = { next_check_at: this.iso(t.poll_every) };', why: 'paces the next status check; nothing is lost or done twice' },
  { file: 'src/builds/tracker.ts', line: 'if (p.url) u.url = p.url;', why: 'the URL of a running build, shown by status; the finished build records it' },
  { file: 'src/builds/tracker.ts', line: '} else this.finish({ ...b, url: p.url ?? b.url }, p.state, p.detail, p.artifacts);', replacement: '&&', why: 'every trigger reports the URL it knew at dispatch' },
  { file: 'src/builds/tracker.ts', line: 'if (!b.external_id && !b.tracking.pid && trigger.recover) {', replacement: '||', why: 'looking up a run already known finds that same run' },
  { file: 'src/builds/tracker.ts', line: 'if (!b.external_id && !b.tracking.pid && trigger.recover) {', replacement: 'true', why: 'looking up a run already known finds that same run' },
  { file: 'src/builds/tracker.ts', line: 'if (found) b = { ...b, external_id: found.external_id ?? null, tracking: found.tracking };', replacement: '&&', why: 'the triggers cancel the run named in its tracking' },
  { file: 'src/builds/tracker.ts', line: 'if (trigger.cancel) await trigger.cancel(t, b, this.ctx());', why: 'every trigger has cancel' },
  { file: 'src/builds/tracker.ts', line: "state: 'running', external_id: d.external_id ?? null, url: d.url ?? null,", why: 'the first status check, moments later, records the same URL' },
  { file: 'src/builds/tracker.ts', line: 'next_check_at: this.iso(Math.min(t.poll_every, 5_000)),', why: 'paces the first status check' },
  { file: 'src/builds/tracker.ts', line: 'if (row.state !== state) return;', why: 'the row can only be cancelled here (cancelling was handled the line before), and a cancelled build is never looked at' },
  { file: 'src/builds/tracker.ts', line: "this.store.builds.update(b.id, { last_error: e.message, next_check_at: e.retryAt ? new Date(e.retryAt).toISOString() : this.iso(t.poll_every) }, this.iso());", replacement: '{}', why: 'paces the next status check after a failed one; the last error meanwhile is for status' },
  { file: 'src/builds/tracker.ts', line: "this.store.builds.update(b.id, { state: trigger.recover ? 'dispatching' : 'queued', last_error: e.message, next_check_at: next }, this.iso());", replacement: '{}', why: 'paces the next attempt (the state is already dispatching); attempts and the final reason are asserted' },
  { file: 'src/builds/tracker.ts', line: "this.store.builds.update(b.id, { state: trigger.recover ? 'dispatching' : 'queued', last_error: e.message, next_check_at: next }, this.iso());", replacement: '""', why: "the store's CHECK refuses a state it does not know; the build, still dispatching, is looked at again" },
  { file: 'src/builds/tracker.ts', line: '} catch (err) {', after: /if \(trigger\.cancel\) await trigger\.cancel|else log\.warn\('this build type cannot be stopped/, why: 'the catch only logs' },
  { file: 'src/builds/tracker.ts', line: "this.cancelled(b, b.last_error ?? 'cancelled');", why: 'cancelFor always sets the reason as last_error' },
  { file: 'src/builds/tracker.ts', line: "if (row.state === 'cancelling') return this.cancelled(row, row.last_error ?? 'cancelled');", replacement: "'cancelled'", why: 'cancelFor always sets the reason as last_error' },
  { file: 'src/builds/tracker.ts', line: "if (row.state === 'cancelling') return this.cancelled(row, row.last_error ?? 'cancelled');", replacement: '""', why: 'cancelFor always sets the reason as last_error' },
  { file: 'src/builds/tracker.ts', line: 'if (!c.done || set.every((x) => x.reported)) return;', why: 'a set is reported when its last build ends; no build ends twice, and a retry clears its flag' },
  { file: 'src/builds/tracker.ts', line: 'this.store.builds.markReported(set.map((x) => x.id), this.iso());', why: 'a set is reported when its last build ends; no build ends twice, and a retry clears its flag' },
  // rotation: replies and answers
  { file: 'src/rotation/replies.ts', line: 'if (isStoreError(err)) throw new HeraldError(', replacement: '{}', why: 'the error details object' },
  { file: 'src/rotation/replies.ts', line: "return legacy ? { kind: 'list', person: null, assignment: legacy } : undefined;", replacement: '""', why: "any kind but 'person' is read as a list copy" },
  { file: 'src/rotation/replies.ts', line: 'if (issued.length === 0 && stepTokens.length > 0) return this.handleStep(', why: 'a sub-condition: with tokens of both kinds, the assignment ones are read first either way' },
  { file: 'src/rotation/replies.ts', line: 'if (all.length || referencedIds(mail.headers).some((id) => OUR_ID.test(id))) {', why: 'consumed or not, a reply is no announcement: no source reads it' },
  { file: 'src/rotation/replies.ts', line: 'return true;', after: /this\.service\.refuse\(|log\.(warn|info)\('(reply to an unknown|assignment reply refused|claim through the list)/, why: 'consumed or not, a refused reply is no announcement: no source reads it' },
  { file: 'src/rotation/replies.ts', line: 'if (store.assignments.replySeen(replyId)) return true;', why: "the service checks the same, and the log's unique index holds" },
  { file: 'src/rotation/replies.ts', line: 'if (steps.replySeen(replyId) || this.store.assignments.replySeen(replyId)) return true;', why: "actOn checks the same, and the log's unique index holds" },
  { file: 'src/rotation/replies.ts', line: ', null, replyId, false);', why: 'nobody is told without a person, whatever tell says' },
  { file: 'src/rotation/replies.ts', line: 'const addresses = mail.fromAddresses ?? [addressOf(mail.from)]', why: 'mailparser always gives fromAddresses; the fallback serves hand-made inputs' },
  { file: 'src/rotation/replies.ts', line: "authenticationProblem(mail.headerValues?.['authentication-results'] ?? [], this.policy.authservId);", why: 'no header and a header from another server are the same problem' },
  { file: 'src/rotation/replies.ts', line: "const own = issued.some((i) => i.kind === 'person' && i.person === person);", why: "a sub-condition: another person's token was refused just before, and a list token names nobody" },
  { file: 'src/rotation/replies.ts', line: "if (isStoreError(err)) throw new HeraldError('ETRANSIENT', `reply ${mail.messageId ?? ''} not handled yet:", replacement: "''", why: "the transient error's wording (which reply), not what is recorded" },
  { file: 'src/rotation/replies.ts', line: "if (isStoreError(err)) throw new HeraldError('ETRANSIENT', `reply ${mail.messageId ?? ''} not handled yet:", replacement: 'Stryker was here!', why: "the transient error's wording (which reply), not what is recorded" },
  { file: 'src/rotation/replies.ts', line: "const replyId = mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;", replacement: '""', why: "the digest's encoding: any keeps replies without a Message-ID apart (an empty id does not, and has its test)" },
  { file: 'src/rotation/service.ts', line: "const asked = a.state === 'asking' && a.person === person;", replacement: 'true', why: "a.person names someone only while asking (claiming starts with nobody, unassigned clears it, a rotation gone is refused above)" },
  { file: 'src/rotation/service.ts', line: "return refuse(`${person} was not asked (state ${a.state}${a.person ? `, asked now: ${a.person}` : ''})`);", why: 'the wording of the refusal reason' },
  { file: 'src/rotation/service.ts', line: "if (tell && person && spec && this.deps.people[person] && told < MAX_REFUSAL_NOTICES)", replacement: 'true', why: 'tell is false only with no person, the handler refuses a reply to a rotation gone from the config before it gets here, and the person comes from people:' },
  { file: 'src/rotation/service.ts', line: 'if (replyId && this.store.assignments.replySeen(replyId)) return { ok: false', why: "the reply handler checks first, and the log's unique index holds" },
  { file: 'src/rotation/service.ts', line: 'if (this.store.assignments.replySeen(replyId)) return `reply ${replyId} was already handled`;', why: "the reply handler checks first, and the log's unique index holds" },
  { file: 'src/rotation/service.ts', line: "if (tell && person && spec && this.deps.people[person] && told < MAX_REFUSAL_NOTICES)", replacement: '||', why: 'tell is false only with no person; person comes from people:' },
  { file: 'src/rotation/service.ts', line: 'if (spec) this.mail(a, spec, \'confirm\'', why: 'the handler refuses a reply when the rotation is gone before it gets here' },
  // procedure
  { file: 'src/procedure/service.ts', line: 'const stream = this.store.releases.get(origin.release_id)?.stream ?? null;', replacement: '.stream', why: "an event's release_id is a foreign key: its release exists" },
  { file: 'src/procedure/service.ts', line: 'if (cfg.supersede && stream !== null) {', replacement: 'true', why: 'a null stream (a release from before streams) matches no record in SQL either; supersede: false has its test' },
  { file: 'src/procedure/service.ts', line: 'if (older.id !== record.id && this.versionOf(older) !== undefined && this.compare(', why: 'a guard: the new record compares equal to itself, every record has its release (a foreign key), equal versions in a stream are one release, and no open newer kernel exists here (a late one was superseded above)' },
  { file: 'src/procedure/service.ts', line: 'if (event.release_id === null) return;', why: 'no record belongs to no release: the loop finds none' },
  { file: 'src/procedure/service.ts', line: 'if (isFinal(record.phase)) continue;', why: 'a final record is neither detected nor building, which the branches below ask' },
  { file: 'src/procedure/service.ts', line: "if (record.phase !== 'detected' || a?.rule_id !== procedureRuleId(record.procedure)) continue;", replacement: 'false', why: 'the machine refuses assigned outside detected, and observe ignores a refusal (another rule\'s assignment has its test)' },
  { file: 'src/procedure/service.ts', line: "if (record.phase !== 'detected' || a?.rule_id !== procedureRuleId(record.procedure)) continue;", replacement: 'a.rule_id', why: 'the accepted assignment was written in the same transaction as its event' },
  { file: 'src/procedure/service.ts', line: ': `${this.label(after)}: ${verb} by ${person} recorded (', replacement: '.procedure).phases', why: 'a step went through, so its procedure is configured' },
  { file: 'src/procedure/service.ts', line: "const key = this.store.secrets.key('reply-token', at);", why: 'tokens are looked up where they are stored; any key makes them unguessable' },
  { file: 'src/procedure/service.ts', line: 'this.store.procedures.saveToken({ token, record_id: record.id, person, address: p.email.toLowerCase() });', replacement: 'toUpperCase', why: 'the address column is never read to decide who a reply is from (people: decides)' },
  { file: 'src/procedure/service.ts', line: 'const seq = told + 1;', why: 'only keeps Message-IDs unique, which one less does too' },
  { file: 'src/procedure/service.ts', line: "message_id: `<kh.${token}.${createHash('sha256')", replacement: "digest('hex')", why: 'a longer Message-ID, as unique' },
  { file: 'src/procedure/service.ts', line: "...(input.kind === 'superseded' ? { superseded_by: input.by } : {}),", replacement: 'true', why: 'only a superseded input has a by; for the others it writes the NULL already there' },
  { file: 'src/procedure/service.ts', line: 'if (!changed || s.noted) this.note(', replacement: '!changed && s.noted', why: 'the machine notes only steps that change no phase, so the else branch writes the same line' },
  { file: 'src/procedure/service.ts', line: "} else if (effect === 'cancel-builds') {", why: 'the machine asks for start-assignment and start-builds only when their phase is configured, so the branches above take them' },
  { file: 'src/procedure/service.ts', line: "this.store.events.append(e.type, { ...base, person: who, note: 'note' in e ? e.note : '', via }", replacement: 'Stryker was here!', why: 'every step event the machine emits carries a note' },
  { file: 'src/procedure/machine.ts', line: 'const needed = spec.test?.approvals ?? 1;', replacement: 'spec.test.approvals', why: 'tested reaches this line only in testing, which only a procedure with a test phase reaches' },
  { file: 'src/procedure/machine.ts', line: "return { state: advance(spec, 'publishing', state, emits, effects), emits, effects };", why: 'from publishing, as from a phase it does not know, advance goes to announced' },
  { file: 'src/procedure/service.ts', line: 'const context = { ...renderContext(origin, { from: this.deps.mail.from }, this.roles(record)),', replacement: '{}', why: 'the From address given to the template: no shipped template prints it (the rest of the context has tests)' },
  { file: 'src/procedure/service.ts', line: "const version = this.versionOf(by) ?? '';", why: "a record's release is a foreign key: its version is always there" },
  { file: 'src/procedure/service.ts', line: 'if (last !== undefined && last + repo.every > this.now()) continue;', replacement: 'true', why: 'a record never looked at has no time: undefined plus every is never later than now' },
  { file: 'src/procedure/service.ts', line: "gate = { url: repo.url, format: repo.format, package: renderValue(repo.package, context, 'publish.repo.package')", replacement: '""', why: 'the key named in a render error, which is logged' },
  { file: 'src/procedure/service.ts', line: '} catch (err) {', after: /publish\.repo\.version'\),$|suite: repo\.suite, component: repo\.component/, why: 'a template that cannot render leaves the gate unset, and the read below fails and is logged instead: the kernel waits either way' },
  { file: 'src/procedure/service.ts', line: 'let present = false;', why: 'a failed read continues before present is read' },
  { file: 'src/procedure/service.ts', line: '} catch (err) {', after: /present = await packagePresent\(gate\);/, why: 'the catch only logs: present stays false and the kernel waits' },
  { file: 'src/procedure/service.ts', line: "} else if (record.phase === 'building') {", why: 'the machine refuses builds-done outside building, and observe ignores a refusal' },
  { file: 'src/procedure/service.ts', line: "if (now.phase !== 'publishing') return;", why: 'the machine refuses published outside publishing' },
  { file: 'src/procedure/service.ts', line: 'if (!r.refused) n += 1;', why: 'a count for the report' },
  { file: 'src/procedure/service.ts', line: 'this.repoChecks.delete(record.id);', why: 'forgets when a record was last looked at; a record out of publishing is not looked at again' },
  // rules: the engine and the email action
  { file: 'src/rules/engine.ts', line: 'const reports: RuleRunReport[] = [];', why: 'the reports returned for printing' },
  { file: 'src/rules/engine.ts', line: "return { event: event.id, rule: rule.id, outcome: 'failed', actions: [], error: message };", why: 'the report returned for printing' },
  { file: 'src/rules/engine.ts', line: 'if (!runner) throw new Error(`unknown action ${a.action}`);', why: 'the config schema refuses an unknown action first' },
  { file: 'src/rules/actions/email/index.ts', line: 'const context = { ...renderContext(event, { from: ctx.mail.from }, holders)', replacement: '{}', why: 'no shipped template prints the From address' },
  { file: 'src/rules/actions/email/index.ts', line: "let subject = '';", why: "the action's summary" },
  { file: 'src/rules/actions/email/index.ts', line: '{ recipient: null });', replacement: '{}', why: 'a template sees no recipient either way' },
  { file: 'src/rules/actions/email/index.ts', line: "const key = store.secrets.key('reply-token', at);", why: 'tokens are looked up where they are stored; any key makes them unguessable' },
  { file: 'src/rules/actions/email/index.ts', line: "createHash('sha256').update(ctx.ruleId).digest('hex').slice(0, 8)}@", replacement: "digest('hex')", why: 'a longer Message-ID, as unique' },
  { file: 'src/rules/actions/email/index.ts', line: 'if (sent.length === 0) {', replacement: 'true', why: "only the action's summary: what was queued is queued" },
  { file: 'src/rules/actions/email/index.ts', line: "return { action: 'email', summary:", why: "the action's summary" },
  { file: 'src/rules/actions/email/index.ts', line: 'address: p.email.toLowerCase() });', why: 'the address column is never read to decide who a reply is from (people: decides)' },
  { file: 'src/rules/actions/email/index.ts', line: 'const token = store.procedures.tokenFor(record.id, p.id)?.token ??', why: 'the token is an HMAC of (record, person): issued again, it is the same token' },
  // mail
  { file: 'src/rotation/mailer.ts', line: "const token = issueToken(key, a.id, audience.kind === 'person'", why: 'the stored kind of a token decides who may use it, not the HMAC input' },
  { file: 'src/rotation/mailer.ts', line: 'store.assignments.saveToken({ token, assignment_id: a.id, kind: audience.kind,', replacement: 'toUpperCase', why: 'the address column is never read to decide who a reply is from (people: decides)' },
  { file: 'src/rotation/mailer.ts', line: 'const thread = `assignment:${a.id}:${audience.kind}:${audience.kind === \'person\' ? audience.person.id : address.toLowerCase()}`;', why: 'only the name of a thread: keyed by a person\'s address instead of their id, or by a list address in another case, each recipient still has one thread (which has its test)' },
  { file: 'src/rotation/mailer.ts', line: 'const seq = store.assignments.messageCount(a.id) + 1;', why: 'only keeps Message-IDs unique, which one less does too' },
  { file: 'src/rotation/mailer.ts', line: 'if (!root) store.threads.claimRoot(thread, messageId, at);', why: 'claimRoot ignores a second claim' },
  // webhook: the worker's give-up rule, the sender, the action
  { file: 'src/mail/outbox-worker.ts', line: 'const status = (err as { context?: { status?: unknown } }).context?.status;', why: 'every error the sender throws is a HeraldError, which always has a context' },
  { file: 'src/mail/outbox-worker.ts', line: "return typeof status === 'number' && status >= 400", replacement: "typeof status === 'number' || status >= 400", why: 'a status that is no number is not >= 400 either' },
  { file: 'src/mail/outbox-worker.ts', line: "return typeof status === 'number' && status >= 400", replacement: 'true', after: /context\?\.status;$/, why: 'only when the whole test is true is this a change; a status that is no number (a network error) is not >= 400 either (the 3xx and 4xx edges have tests)' },
  { file: 'src/mail/outbox-worker.ts', line: "this.noteFailure(msg, errorMessage(err), log, msg.kind === 'webhook' && refusedForGood(err));", why: 'a mail error carries no HTTP status, so the rule gives no for mail either way' },
  { file: 'src/mail/webhook-sender.ts', line: 'if (status >= 200 && status < 300) resolve();', replacement: 'true', why: 'no final answer below 200 reaches the callback (1xx are interim)' },
  { file: 'src/rules/actions/webhook/index.ts', line: 'const context = { ...renderContext(event, { from: ctx.mail.from }', replacement: '{}', why: 'no shipped webhook template prints the From address' },
  { file: 'src/mail/outbox-worker.ts', line: "crashPoint('before-send');", why: 'the name a crash test kills at: the mail group runs those tests' },
  { file: 'src/mail/outbox-worker.ts', line: "crashPoint('smtp-accepted');", why: 'the name a crash test kills at: the mail group runs those tests' },
  { file: 'src/mail/outbox-worker.ts', line: 'if (!this.outage || this.outage.error !== error) {', why: "a mail outage's log pacing, in memory for status: nothing sent or recorded (the outage has its test in the mail group)" },
  { file: 'src/mail/outbox-worker.ts', line: '} else {', after: /this\.outage = \{ since/, why: "a mail outage's count, in memory for status: nothing sent or recorded" },
  { file: 'src/mail/outbox-worker.ts', line: 'this.outage.failures += 1;', why: "a mail outage's count, in memory for status: nothing sent or recorded" },
  { file: 'src/mail/webhook-sender.ts', line: "new HeraldError('EWEBHOOK'", replacement: '""', why: "the error's code: the outbox records the message, nothing reads the code" },
  { file: 'src/mail/webhook-sender.ts', line: "else reject(new HeraldError('EWEBHOOK', `${t.method} ${shown}: HTTP ${status} ${res.statusMessage ?? ''}`.trim()", why: "the wording of the error: Node always gives a status text, so the fallback and the trim change nothing" },
  { file: 'src/mail/webhook-sender.ts', line: "const req = (url.protocol === 'https:' ? https : http)", why: 'https and http share request(); only TLS differs, and the tests serve plain HTTP' },
  { file: 'src/rules/actions/webhook/index.ts', line: 'let subject = `${event.type} #${event.id}`;', why: 'the label of a webhook without a template in status and the outbox list' },
  { file: 'src/rules/actions/webhook/index.ts', line: "throw new HeraldError('ETEMPLATE', `webhook template", why: "the error's code and details: the rule run records its message, which the test reads" },
  { file: 'src/rules/actions/webhook/index.ts', line: "template: params.template ?? '(event)', thread_key: null, recipients: [displayUrl(target)]", why: 'labels for status and the outbox list; the target the worker sends to is in `webhook`' },
  { file: 'src/rules/actions/webhook/index.ts', line: "return { action: 'webhook', summary:", why: "the action's summary" },
  // ingest
  { file: 'src/ingest/ingest.ts', line: '...(item.detail !== undefined ? { detail: item.detail } : {})', why: 'an undefined detail is stored as NULL either way' },
  { file: 'src/ingest/replay.ts', line: "out.push({ file: it.file, externalId: it.externalId, source: source.id, title: announcement?.title ?? ''", why: "the replay report's title" },
  { file: 'src/ingest/replay.ts', line: 'for (let i = 0; i < parsed.length; i += REPLAY_BATCH) {', replacement: '<=', why: 'one more, empty, transaction' },
  { file: 'src/ingest/ingest.ts', line: "const head = store.releases.streamHead('kernel', stream);", why: 'only speed: without its head every kernel is placed by a scan, with the same answer (the scan is what the stream test holds the head to)' },
  { file: 'src/ingest/ingest.ts', line: "if (head) store.releases.setStreamHead('kernel', stream, me);", why: 'the fast answer without a head comes only for a distro with no version scheme, whose head nothing reads' },
  { file: 'src/ingest/ingest.ts', line: "const abi = release.kind === 'kernel' ? abiKey(release) : null;", why: 'abiKey knows no vendor (nvidia, mellanox): null for every driver' },
  // imap
  { file: 'src/watchers/imap/index.ts', line: '.filter((m) => m.uid >= from).sort((a, b) => a.uid - b.uid);', replacement: 'a.uid + b.uid', why: 'Dovecot answers a UID FETCH in UID order; the sort guards servers that do not' },
  { file: 'src/watchers/imap/index.ts', line: 'let todo = (await client.fetchAll(`${from}:*`, { uid: true, size: true }, { uid: true }))', replacement: 'false', why: "imapflow returns each message's UID with the UID option, whatever the query asks (size and the option itself have tests)" },
  { file: 'src/watchers/imap/index.ts', line: 'let todo = (await client.fetchAll(`${from}:*`, { uid: true, size: true }, { uid: true }))', replacement: '.filter(m => m.uid >= from)', why: 'Dovecot answers a UID FETCH in UID order; the sort guards servers that do not' },
  { file: 'src/watchers/imap/index.ts', line: '.filter((m) => m.uid >= from).sort((a, b) => a.uid - b.uid);', replacement: '() => undefined', why: "the sort's comparator: Dovecot answers in UID order already (the filter's own has tests)" },
  { file: 'src/watchers/imap/index.ts', line: 'if (baseline && todo.length > this.cfg.baseline_limit) todo = todo.slice(todo.length - this.cfg.baseline_limit);', replacement: 'true', why: 'in a baseline of at most baseline_limit messages, slicing off the last baseline_limit keeps them all (the cut itself, and no cut after the baseline, have tests)' },
  { file: 'src/watchers/imap/index.ts', line: 'if (baseline && todo.length > this.cfg.baseline_limit) todo = todo.slice(todo.length - this.cfg.baseline_limit);', replacement: '>=', why: 'exactly baseline_limit messages sliced to the last baseline_limit are all of them' },
  { file: 'src/watchers/imap/index.ts', line: 'const msg = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });', replacement: 'false', why: "imapflow returns the UID with the UID option, whatever the query asks (the option has its test)" },
  { file: 'src/watchers/imap/index.ts', line: "if (err instanceof HeraldError && err.code === 'ETRANSIENT') throw err;", why: 'readMail catches a source\'s parse error and a bug in reply handling itself; what reaches here is the transient store error (tested) or a mailparser failure no input here produces, which the skip guards' },
  { file: 'src/watchers/imap/index.ts', line: 'if (this.stopped) break;', why: 'only how soon a stop returns: each message commits with its cursor' },
  { file: 'src/watchers/imap/index.ts', line: 'const outcome: PollOutcome = {', why: 'what the visit reports (metrics, the poll command), not what it records' },
  { file: 'src/watchers/imap/index.ts', line: 'if (!res.duplicate) outcome.recorded += 1;', why: 'a count for the report' },
  { file: 'src/watchers/imap/index.ts', line: 'if (mailbox.exists > 0) {', why: 'fetching n:* in an empty mailbox returns nothing' },
  { file: 'src/watchers/imap/index.ts', line: 'if (!msg || !msg.source) return undefined;', why: 'only a message expunged between the UID list and its fetch' },
  { file: 'src/watchers/imap/index.ts', line: 'if (!r) return undefined;', why: 'the catch below skips it all the same' },
  // mail
  { file: 'src/mail/outbox-worker.ts', line: 'if (this.stopRequested) return Promise.resolve({ sent: 0, failed: 0 });', why: 'the pass checks the same flag before each message' },
  { file: 'src/mail/outbox-worker.ts', line: 'await this.running?.catch(() => undefined);', why: "the daemon's stop waits with allSettled" },
  { file: 'src/mail/outbox-worker.ts', line: 'return { sent, failed };', why: 'counts for the report' },
  { file: 'src/mail/outbox-worker.ts', line: "if (ok === 'sent') sent += 1;", why: 'counts for the report' },
  { file: 'src/mail/outbox-worker.ts', line: "else if (ok === 'failed') failed += 1;", why: 'counts for the report' },
  { file: 'src/mail/outbox-worker.ts', line: "return 'unrecorded';", why: "the pass stops on any answer but 'sent' and 'failed'" },
  { file: 'src/store/outbox.ts', line: 'nextDueAt(): string | undefined {', why: "only how soon a retry is noticed: the minutely check's pass picks it up" },
  { file: 'src/store/outbox.ts', line: "return (this.db.prepare(`SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'`)", why: "only how soon a retry is noticed: the minutely check's pass picks it up" },
  // schedule
  { file: 'src/mail/outbox-schedule.ts', line: 'const quiet = seen !== undefined && current !== undefined && this.clock.now().getTime() < dueAt', replacement: 'this.clock.now().getTime() <= dueAt', why: 'the same millisecond as the retry: the pass comes one interval check later at most' },
  { file: 'src/mail/outbox-schedule.ts', line: 'const stalled = delivered === 0 && due <= this.clock.now().getTime();', replacement: 'due < this.clock.now().getTime()', why: 'a retry falling due in the very millisecond the pass ended: a 10 ms wait instead of the first pause, and the pass after finds it due either way' },
  { file: 'src/mail/outbox-schedule.ts', line: '.then((r) => r.sent + r.failed, (err: unknown) => {', replacement: 'r.sent - r.failed', why: 'a failed message is rescheduled by its backoff, so it is never what stays due; only a pass that sent as many as failed while yet more stays due would pause, and the next pass sends it' },
  { file: 'src/rotation/mailer.ts', line: "const key = store.secrets.key('reply-token', at);", why: 'tokens are looked up where they are stored; any key makes them unguessable' },
  { file: 'src/rotation/mailer.ts', line: 'const ids: string[] = [];', why: 'the ids it returns are not used by its caller' },
];

// A mutant inside a log call's message or fields (the line also does real work).
function inLogCall(line, m) {
  const at = onOneLine(line, m);
  return at !== undefined && /\blog(?:\[[^\]]*\])?\.?(?:info|warn|debug|error)?\((?:(?:'[^']*'|`[^`]*`), )?$/.test(at.before);
}

/** What a mutant replaced, and the text before it, when it lies within one line. */
function onOneLine(line, m) {
  const { start, end } = m.location;
  if (start.line !== end.line) return undefined;
  return { before: line.slice(0, start.column - 1), orig: line.slice(start.column - 1, end.column - 1) };
}

// A line that only logs (or builds a logger) commits nothing, whatever its mutant does.
const LOG_LINE = /^(?:else )?(?:if \([^;]*\) )?(?:(?:this\.|ctx\.|this\.deps\.|deps\.)?log(?:\.child\([^)]*\))?\.(?:info|warn|debug|error)\(|(?:this\.|this\.deps\.)log\[|(?:const|let) log = .*\.child\()/;

// A string mutant on human wording (a message, a reason, a note's text): the
// line commits, but what it commits is the same apart from the words.
function wording(line, m) {
  const at = m.mutatorName === 'StringLiteral' ? onOneLine(line, m) : undefined;
  return at !== undefined && at.orig.length > 12 && /[a-z] [a-z]/i.test(at.orig);
}

function verdict(path, text, m, raw, before) {
  if (LOG_LINE.test(text)) return 'log line';
  if (inLogCall(raw, m)) return 'inside a log call';
  if (wording(raw, m)) return 'wording of a message or note';
  const e = EXPLAINED.find((x) => x.file === path && text.includes(x.line) && (!x.replacement || (m.replacement ?? '').includes(x.replacement)) && (!x.after || x.after.test(before)));
  return e ? e.why : undefined;
}

/** A mutant told apart from others on its file by its line's text, not its line number, which later edits move. */
const mutantKey = (path, text, m) => `${path}\0${text}\0${m.mutatorName}\0${m.replacement ?? ''}`;

/** A report's survivors, each with its line's text and why it is not open (undefined when it is). */
function survivorsOf(report) {
  const out = [];
  for (const [path, f] of Object.entries(report.files)) {
    const lines = f.source.split('\n');
    for (const m of f.mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
      const line = m.location.start.line;
      const text = lines[line - 1]?.trim() ?? '';
      const why = verdict(path, text, m, lines[line - 1] ?? '', lines.slice(0, line - 1).reverse().find((l) => l.trim() !== '') ?? '');
      out.push({ path, line, text, m, why });
    }
  }
  return out;
}

const readReport = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);

/**
 * The open survivors of a group's last full run, as ranges of the lines that
 * hold them today (found by their text, since tests added after the run may
 * have come with edits that moved them).
 */
function recheckRanges(name) {
  const report = readReport(`bench/out/mutation-${name}.json`);
  if (!report) throw new Error(`${name}: no report to check again; run the group first`);
  const out = new Set();
  for (const s of survivorsOf(report)) {
    if (s.why) continue;
    const now = readFileSync(s.path, 'utf8').split('\n');
    const at = now.map((l, i) => (l.trim() === s.text ? i + 1 : 0)).filter((i) => i > 0);
    if (at.length === 0) console.log(`${name}: ${s.path}:${s.line} is gone (${s.text}); run the whole group`);
    // A mutant may span lines (a block): the range must hold all of it, or Stryker leaves it out.
    const span = s.m.location.end.line - s.m.location.start.line;
    for (const i of at) out.add(`${s.path}:${i}-${i + span}`);
  }
  return [...out];
}

/** Mutants a recheck, newer than the full run, found killed (or timed out). */
function killedOnRecheck(name) {
  const full = `bench/out/mutation-${name}.json`;
  const again = `bench/out/mutation-${name}-recheck.json`;
  const report = readReport(again);
  if (!report || statSync(again).mtimeMs < statSync(full).mtimeMs) return new Set();
  const out = new Set();
  for (const [path, f] of Object.entries(report.files)) {
    const lines = f.source.split('\n');
    for (const m of f.mutants) if (m.status === 'Killed' || m.status === 'Timeout') out.add(mutantKey(path, lines[m.location.start.line - 1]?.trim() ?? '', m));
  }
  return out;
}

function summary(names) {
  const rows = [];
  const open = [];
  const explained = [];
  for (const name of names) {
    const report = readReport(`bench/out/mutation-${name}.json`);
    if (!report) continue;
    const later = killedOnRecheck(name);
    const all = survivorsOf(report);
    for (const [path, f] of Object.entries(report.files)) {
      const count = (s) => f.mutants.filter((m) => s.includes(m.status)).length;
      const killed = count(['Killed']);
      const timeout = count(['Timeout']);
      const survivors = all.filter((s) => s.path === path);
      const total = killed + timeout + survivors.length;
      let left = 0;
      let rechecked = 0;
      for (const { line, text, m, why } of survivors) {
        const entry = `${path}:${line} ${m.mutatorName} -> ${JSON.stringify(m.replacement ?? '')}\n    ${text}`;
        if (why) explained.push(`${entry}\n    (${why})`);
        else if (later.has(mutantKey(path, text, m))) rechecked += 1;
        else { open.push(entry); left += 1; }
      }
      rows.push(`| ${name} | \`${path}\` | ${total ? ((100 * (killed + timeout)) / total).toFixed(1) : '-'} % | ${killed} | ${timeout} | ${survivors.length} | ${rechecked} | ${left} |`);
    }
  }
  console.log('\n| group | module | score | killed | timed out | survived | killed on recheck | open |\n|---|---|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
  if (process.argv.includes('--explained')) {
    console.log(`\nexplained (${explained.length}):`);
    for (const s of explained) console.log(`  ${s}`);
  }
  console.log(`\nopen survivors (${open.length}):`);
  for (const s of open) console.log(`  ${s}`);
}

function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  for (const n of wanted) if (!(n in GROUPS)) { console.error(`unknown group ${n}; groups: ${Object.keys(GROUPS).join(', ')}`); process.exit(2); }
  const names = wanted.length ? wanted : Object.keys(GROUPS);
  mkdirSync('bench/out', { recursive: true });
  if (process.argv.includes('--ranges')) { for (const n of names) console.log(n, ranges(GROUPS[n]).join(' ')); return; }
  if (!process.argv.includes('--summary')) for (const n of names) run(n, process.argv.includes('--recheck'));
  summary(names);
}

// Imported by the test that checks every named function still exists.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
