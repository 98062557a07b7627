import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Projector } from './projector';
import { projectorMetrics } from './projector-metrics';

const ROUTES = new Set(['/health', '/ready', '/lag', '/metrics']);

/**
 * GET /health (and /ready, its name for readiness probes): 200 while every projection runs, 503
 * otherwise (an orchestrator restarts or alerts). GET /lag: each projection's checkpoint against
 * the head of the log. GET /metrics: Prometheus text (no credential: the port is internal).
 */
export function createProjectorServer(projector: Projector, onError: (message: string, error: unknown) => void): Server {
  const metrics = projectorMetrics(projector);
  return createServer((request, response) => {
    handle(projector, metrics, request, response).catch((error: unknown) => {
      onError(`${request.method} ${request.url} failed`, error);
      if (!response.headersSent) send(response, 503, { error: 'unavailable' });
      else response.destroy();
    });
  });
}

async function handle(projector: Projector, metrics: Registry, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://projector').pathname;
  if (!ROUTES.has(path)) return send(response, 404, { error: 'not found' });
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return send(response, 405, { error: 'method not allowed' });
  }
  if (path === '/health' || path === '/ready') {
    const health = projector.health();
    return send(response, health.status === 'ok' ? 200 : 503, health);
  }
  if (path === '/metrics') {
    const text = await metrics.metrics();
    response.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : text);
    return;
  }
  send(response, 200, await projector.lag());
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
  });
  response.end(response.req.method === 'HEAD' ? undefined : json);
}
