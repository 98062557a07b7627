/** How webhooks are delivered; read from the environment once, with the rest of the configuration. */
export interface WebhookConfig {
  /** WEBHOOKS_ALLOW_PRIVATE_TARGETS=true: deliver to private, loopback and link-local addresses (tests, local demos). */
  readonly allowPrivateTargets: boolean;
  /** One attempt's limit, connection to last byte of the response. */
  readonly timeoutMs: number;
  /** The first retry's delay; each next one doubles, with jitter. */
  readonly retryInitialDelayMs: number;
  /** The longest delay between attempts during the first hour of an outage. */
  readonly retryMaxDelayMs: number;
  /** How long an endpoint may keep failing before it is disabled. */
  readonly retryWindowMs: number;
  /** Attempts in flight at once, over all endpoints of this process. */
  readonly maxInFlight: number;
  /**
   * How long the delivery lease lasts (renewed every third of it): one replica delivers, and when it
   * dies another takes over after at most this long.
   */
  readonly leaseTtlMs: number;
  /** Platform key the endpoints' signing secrets are derived from; generated into DATA_DIR when unset (embedded mode). */
  readonly secretsKey?: string;
}

type Reader = {
  integer(name: string, fallback: number, min: number, max: number): number;
  boolean(name: string): boolean | undefined;
};

const HOUR_MS = 3_600_000;

export function loadWebhookConfig(env: NodeJS.ProcessEnv, read: Reader): WebhookConfig {
  const secretsKey = env.WEBHOOK_SECRETS_KEY || undefined;
  if (secretsKey !== undefined && secretsKey.length < 32) throw new RangeError('WEBHOOK_SECRETS_KEY must be at least 32 characters');
  return {
    allowPrivateTargets: read.boolean('WEBHOOKS_ALLOW_PRIVATE_TARGETS') ?? false,
    timeoutMs: read.integer('WEBHOOKS_TIMEOUT_MS', 10_000, 100, 60_000),
    retryInitialDelayMs: read.integer('WEBHOOKS_RETRY_INITIAL_DELAY_MS', 1000, 1, 60_000),
    retryMaxDelayMs: read.integer('WEBHOOKS_RETRY_MAX_DELAY_MS', 60_000, 1, HOUR_MS),
    retryWindowMs: read.integer('WEBHOOKS_RETRY_WINDOW_MS', 24 * HOUR_MS, 1, 7 * 24 * HOUR_MS),
    maxInFlight: read.integer('WEBHOOKS_MAX_IN_FLIGHT', 32, 1, 1000),
    leaseTtlMs: read.integer('WEBHOOKS_LEASE_TTL_MS', 30_000, 300, 600_000),
    secretsKey,
  };
}
