import type { Clock } from '../clock.js';
import { crashPoint } from '../crash-points.js';
import type { HeraldEvent } from '../domain.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { RuleConfig } from './schema.js';
import type { Store } from '../store/index.js';
import { actionByName } from './actions/registry.js';
import type { ActionEnv, ActionOutcome } from './actions/types.js';
import { ruleMatches } from './match.js';

export interface RuleRunReport { event: number; rule: string; outcome: 'ok' | 'failed'; actions: ActionOutcome[]; error?: string }

/**
 * Runs the rules over every unprocessed event. For each event, one
 * transaction: each matching rule's run is recorded with everything its
 * actions wrote (outbox rows...), and the event is marked processed. A crash
 * leaves either all of it or none, so nothing runs twice.
 */
export class RulesEngine {
  constructor(private readonly rules: RuleConfig[], private readonly env: ActionEnv, private readonly onRun: (r: RuleRunReport) => void = () => {}) {}

  private get store(): Store { return this.env.store; }
  private get clock(): Clock { return this.env.clock; }
  private get log(): Logger { return this.env.log; }

  processPending(): RuleRunReport[] {
    const reports: RuleRunReport[] = [];
    for (;;) {
      const batch = this.store.events.unprocessed(100);
      if (batch.length === 0) return reports;
      for (const event of batch) reports.push(...this.processEvent(event));
    }
  }

  /**
   * The same, yielding to the event loop between events: a long backlog of
   * rule runs must not hold up a reply the outbox is waiting for (a reply read
   * late widens SMTP's duplicate window) or the HTTP health check.
   */
  async processPendingYielding(): Promise<RuleRunReport[]> {
    const reports: RuleRunReport[] = [];
    for (;;) {
      const batch = this.store.events.unprocessed(100);
      if (batch.length === 0) return reports;
      for (const event of batch) {
        reports.push(...this.processEvent(event));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }

  processEvent(event: HeraldEvent): RuleRunReport[] {
    const reports: RuleRunReport[] = [];
    this.store.tx(() => {
      // The procedure moves first, so the rules see the phase this event caused.
      this.env.procedures.observe(event);
      for (const rule of this.rules) {
        if (!rule.enabled || !ruleMatches(rule, event) || this.store.ruleRuns.has(event.id, rule.id)) continue;
        reports.push(this.runRule(event, rule));
      }
      crashPoint('rules-before-processed');
      this.store.events.markProcessed(event.id, this.clock.now().toISOString());
    });
    for (const r of reports) this.onRun(r);
    return reports;
  }

  private runRule(event: HeraldEvent, rule: RuleConfig): RuleRunReport {
    const log = this.log.child({ event: event.id, event_type: event.type, rule: rule.id });
    const at = this.clock.now().toISOString();
    try {
      // A savepoint: a failing action undoes this rule's writes, not the others'.
      const actions = this.store.tx(() => {
        const runId = this.store.ruleRuns.record(event.id, rule.id, 'ok', null, at);
        crashPoint('rule-run-recorded');
        return rule.do.map((a, index) => {
          const runner = actionByName(a.action);
          if (!runner) throw new Error(`unknown action ${a.action}`);
          const outcome = runner.run({ ...this.env, event, ruleId: rule.id, runId, index }, a.params);
          crashPoint('rule-action-done');
          return outcome;
        });
      });
      log.info('rule ran', { actions: actions.map((a) => a.summary) });
      return { event: event.id, rule: rule.id, outcome: 'ok', actions };
    } catch (err) {
      const message = errorMessage(err);
      this.store.ruleRuns.record(event.id, rule.id, 'failed', message, at);
      log.error('rule failed', { error: message });
      return { event: event.id, rule: rule.id, outcome: 'failed', actions: [], error: message };
    }
  }
}
