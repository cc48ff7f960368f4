import client from 'prom-client';

/** Prometheus metrics, one registry per daemon so tests can run several. */
export class Metrics {
  readonly registry = new client.Registry();
  readonly polls = new client.Counter({ name: 'kernel_herald_polls_total', help: 'Watcher polls by outcome', labelNames: ['watcher', 'result'] as const, registers: [this.registry] });
  readonly announcements = new client.Counter({ name: 'kernel_herald_announcements_total', help: 'New announcements recorded', labelNames: ['watcher'] as const, registers: [this.registry] });
  readonly events = new client.Counter({ name: 'kernel_herald_events_total', help: 'Events emitted', labelNames: ['watcher'] as const, registers: [this.registry] });
  readonly ruleRuns = new client.Counter({ name: 'kernel_herald_rule_runs_total', help: 'Rule runs by outcome', labelNames: ['rule', 'outcome'] as const, registers: [this.registry] });
  readonly mailsSent = new client.Counter({ name: 'kernel_herald_mails_sent_total', help: 'Messages delivered', labelNames: ['template'] as const, registers: [this.registry] });
  readonly outbox = new client.Gauge({ name: 'kernel_herald_outbox_messages', help: 'Outbox messages by status', labelNames: ['status'] as const, registers: [this.registry] });
  readonly watcherFailures = new client.Gauge({ name: 'kernel_herald_watcher_consecutive_failures', help: 'Consecutive failures per watcher', labelNames: ['watcher'] as const, registers: [this.registry] });
}
