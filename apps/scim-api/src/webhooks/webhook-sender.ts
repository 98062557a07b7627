import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { resolveTarget, type ResolvedTarget } from './target-address';

/** One attempt's result, as the delivery log keeps it. */
export interface AttemptOutcome {
  readonly ok: boolean;
  readonly status?: number;
  readonly latencyMs: number;
  readonly error?: string;
  /** The start of the response body: enough to see an error message, not a place to keep payloads. */
  readonly responseBody?: string;
}

export interface SendOptions {
  readonly timeoutMs: number;
  readonly allowPrivateTargets: boolean;
  /** Ends the attempt early (shutdown): a slow receiver does not hold up a restart. */
  readonly signal?: AbortSignal;
}

/** Response bytes kept per attempt. */
export const MAX_RESPONSE_BODY = 1024;

// Connections are reused between the deliveries of one endpoint (one at a time, in order).
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * POSTs one webhook message. The host is resolved and checked first, and the connection goes to the
 * checked address; redirects are answers, not followed (a 3xx is a failure); the whole exchange has
 * one deadline. Never throws: every failure is an outcome.
 */
export async function sendWebhook(url: string, headers: Readonly<Record<string, string>>, body: string, options: SendOptions): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let target: ResolvedTarget;
  const parsed = new URL(url);
  try {
    target = await resolveTarget(parsed, options.allowPrivateTargets);
  } catch (error) {
    return { ok: false, latencyMs: elapsed(), error: messageOf(error) };
  }
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<AttemptOutcome, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      resolve({ ...outcome, latencyMs: elapsed() });
    };
    const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
      if (lookupOptions.all) (callback as unknown as (e: null, all: { address: string; family: number }[]) => void)(null, [target]);
      else callback(null, target.address, target.family);
    };
    const https = parsed.protocol === 'https:';
    const request = (https ? httpsRequest : httpRequest)(
      parsed,
      {
        method: 'POST',
        agent: https ? agents.https : agents.http,
        lookup: pinned,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'scim-provisioning-webhooks/1' },
      },
      (response) => readResponse(response, finish),
    );
    const timer = setTimeout(() => {
      finish({ ok: false, error: `no complete response within ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) => finish({ ok: false, error: messageOf(error) }));
    const abort = () => {
      finish({ ok: false, error: 'cut off: the service is shutting down' });
      request.destroy();
    };
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
    request.end(body);
  });
}

function readResponse(response: IncomingMessage, finish: (outcome: Omit<AttemptOutcome, 'latencyMs'>) => void): void {
  const status = response.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let kept = 0;
  response.on('data', (chunk: Buffer) => {
    if (kept < MAX_RESPONSE_BODY) {
      chunks.push(chunk.subarray(0, MAX_RESPONSE_BODY - kept));
      kept += Math.min(chunk.length, MAX_RESPONSE_BODY - kept);
    }
  });
  response.on('end', () => {
    const responseBody = Buffer.concat(chunks).toString('utf8');
    const ok = status >= 200 && status < 300;
    const error = ok ? undefined : status >= 300 && status < 400 ? `redirect to ${response.headers.location ?? '?'} not followed (HTTP ${status})` : `HTTP ${status}`;
    finish({ ok, status, ...(error ? { error } : {}), ...(responseBody ? { responseBody } : {}) });
  });
  response.on('error', (error) => finish({ ok: false, status, error: messageOf(error) }));
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 500);
