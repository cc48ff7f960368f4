import client from 'prom-client';

/** Prometheus metrics, one registry per daemon so tests can run several. */
export class Metrics {
  readonly registry = new client.Registry();

  constructor() {
    // Process CPU, memory, file descriptors, event loop lag: the daemon's own health.
    client.collectDefaultMetrics({ register: this.registry, prefix: 'kernel_herald_' });
  }

  readonly polls = new client.Counter({ name: 'kernel_herald_polls_total', help: 'Watcher polls by outcome', labelNames: ['watcher', 'result'] as const, registers: [this.registry] });
  readonly announcements = new client.Counter({ name: 'kernel_herald_announcements_total', help: 'New announcements recorded', labelNames: ['watcher'] as const, registers: [this.registry] });
  readonly events = new client.Counter({ name: 'kernel_herald_events_total', help: 'Events emitted', labelNames: ['watcher'] as const, registers: [this.registry] });
  readonly ruleRuns = new client.Counter({ name: 'kernel_herald_rule_runs_total', help: 'Rule runs by outcome', labelNames: ['rule', 'outcome'] as const, registers: [this.registry] });
  readonly mailsSent = new client.Counter({ name: 'kernel_herald_mails_sent_total', help: 'Messages delivered', labelNames: ['template'] as const, registers: [this.registry] });
  readonly outbox = new client.Gauge({ name: 'kernel_herald_outbox_messages', help: 'Outbox messages by kind (mail, webhook) and status', labelNames: ['kind', 'status'] as const, registers: [this.registry] });
  readonly watcherLastSuccess = new client.Gauge({ name: 'kernel_herald_watcher_last_success_timestamp_seconds', help: 'When each watcher last succeeded (Unix time)', labelNames: ['watcher'] as const, registers: [this.registry] });
  readonly watcherLastNew = new client.Gauge({ name: 'kernel_herald_watcher_last_new_item_timestamp_seconds', help: 'When each watcher last recorded something new (Unix time)', labelNames: ['watcher'] as const, registers: [this.registry] });
  readonly builds = new client.Gauge({ name: 'kernel_herald_builds', help: 'Builds by state', labelNames: ['state'] as const, registers: [this.registry] });
  readonly assignmentsOpen = new client.Gauge({ name: 'kernel_herald_assignments_open', help: 'Assignments without a release manager yet, by state', labelNames: ['state'] as const, registers: [this.registry] });
  readonly outboxOldest = new client.Gauge({ name: 'kernel_herald_outbox_oldest_pending_age_seconds', help: 'Age of the oldest message of each kind waiting to be sent (0 when none)', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly mailFailingSince = new client.Gauge({ name: 'kernel_herald_mail_failing_since_timestamp_seconds', help: 'When mail delivery started failing (0 when it works)', registers: [this.registry] });
  readonly healthy = new client.Gauge({ name: 'kernel_herald_healthy', help: '1 when /healthz answers 200', registers: [this.registry] });
  readonly watcherFailures = new client.Gauge({ name: 'kernel_herald_watcher_consecutive_failures', help: 'Consecutive failures per watcher', labelNames: ['watcher'] as const, registers: [this.registry] });
}
