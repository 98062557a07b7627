import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The states a projection or process manager reports (`*_state` gauges: 1 for the current one). */
export const SUBSCRIBER_STATES = ['running', 'stopped', 'failing'] as const;
export type SubscriberState = (typeof SUBSCRIBER_STATES)[number];

export interface SubscriberReport {
  readonly name: string;
  readonly state: SubscriberState;
  /** Position through which the subscriber has read (its checkpoint or beyond). */
  readonly position: number;
}

/** Where the lag and state gauges read from at each scrape. */
export interface SubscriberSource {
  headPosition(): Promise<number>;
  projections(): readonly SubscriberReport[];
  processManagers(): readonly SubscriberReport[];
}

// Seconds; from a cached GET (~1 ms) to a read-your-writes wait running out (5 s by default).
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's Prometheus metrics (docs/OPERATIONS.md lists them), in a registry of its own so
 * that two apps in one process (tests) do not share counters. Labels are bounded: route templates,
 * never raw paths, account ids or credentials.
 */
export class Metrics {
  readonly registry = new Registry();
  private source?: SubscriberSource;

  private readonly httpRequests = new Counter({
    name: 'scim_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'scim_http_request_duration_seconds',
    help: 'Time from receiving a request to the end of its response, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly eventsAppended = new Counter({
    name: 'scim_events_appended_total',
    help: 'Events appended to the event store',
    registers: [this.registry],
  });

  private readonly appendDuration = new Histogram({
    name: 'scim_event_append_duration_seconds',
    help: 'Duration of one append to the event store, by outcome (ok, conflict, error)',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly freshnessWait = new Histogram({
    name: 'scim_read_your_writes_wait_seconds',
    help: "How long a write's response waited for the read models to include it",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly freshnessTimeouts = new Counter({
    name: 'scim_read_your_writes_timeouts_total',
    help: 'Writes answered before the read models included them (the wait ran out or a projection had failed)',
    registers: [this.registry],
  });

  private readonly authFailures = new Counter({
    name: 'scim_auth_failures_total',
    help: 'Refused authentications (401/403), by credential realm and kind of failure',
    labelNames: ['realm', 'kind'] as const,
    registers: [this.registry],
  });

  private readonly rateLimitRefusals = new Counter({
    name: 'scim_rate_limited_total',
    help: 'Requests refused with 429 by admission control, by limit scope',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  // Lag and state are read at scrape time, all from one head position.
  private readonly projectionLag = new Gauge({
    name: 'scim_projection_lag_positions',
    help: 'Log positions between the head of the event log and what the projection has read',
    labelNames: ['projection'] as const,
    registers: [this.registry],
    collect: () => this.reportSubscribers(),
  });

  private readonly projectionState = new Gauge({
    name: 'scim_projection_state',
    help: 'Projection state: 1 for its current state (running, stopped, failing), 0 for the others',
    labelNames: ['projection', 'state'] as const,
    registers: [this.registry],
  });

  private readonly processLag = new Gauge({
    name: 'scim_process_manager_lag_positions',
    help: 'Log positions between the head of the event log and what the process manager has read',
    labelNames: ['process'] as const,
    registers: [this.registry],
  });

  private readonly processState = new Gauge({
    name: 'scim_process_manager_state',
    help: 'Process manager state: 1 for its current state (running, stopped, failing), 0 for the others',
    labelNames: ['process', 'state'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Set once the persistence layer knows its projections and the processes are discovered. */
  reportSubscribersFrom(source: SubscriberSource): void {
    this.source = source;
  }

  httpRequest(labels: { route: string; method: string; status: number }, seconds: number): void {
    const values = { route: labels.route, method: labels.method, status: String(labels.status) };
    this.httpRequests.inc(values);
    this.httpDuration.observe(values, seconds);
  }

  appended(events: number, seconds: number, outcome: 'ok' | 'conflict' | 'error'): void {
    if (outcome === 'ok') this.eventsAppended.inc(events);
    this.appendDuration.observe({ outcome }, seconds);
  }

  readYourWritesWaited(seconds: number, included: boolean): void {
    this.freshnessWait.observe(seconds);
    if (!included) this.freshnessTimeouts.inc();
  }

  authenticationRefused(realm: string, kind: string): void {
    this.authFailures.inc({ realm, kind });
  }

  /** For admission control: one request refused with 429 under the limit `scope` (e.g. 'token', 'account', 'client'). */
  rateLimited(scope: string): void {
    this.rateLimitRefusals.inc({ scope });
  }

  /** Prometheus text exposition format. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async reportSubscribers(): Promise<void> {
    if (!this.source) return;
    const projections = this.source.projections();
    const processes = this.source.processManagers();
    for (const { name, state } of projections) {
      for (const candidate of SUBSCRIBER_STATES) this.projectionState.set({ projection: name, state: candidate }, candidate === state ? 1 : 0);
    }
    for (const { name, state } of processes) {
      for (const candidate of SUBSCRIBER_STATES) this.processState.set({ process: name, state: candidate }, candidate === state ? 1 : 0);
    }
    let head: number;
    try {
      head = await this.source.headPosition();
    } catch {
      // The event store does not answer (readiness says so): the scrape still serves everything else.
      return;
    }
    for (const { name, position } of projections) this.projectionLag.set({ projection: name }, Math.max(0, head - position));
    for (const { name, position } of processes) this.processLag.set({ process: name }, Math.max(0, head - position));
  }
}
