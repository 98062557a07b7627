import { createServer } from 'node:net';
import { ConfigError } from './app-config';

/**
 * Fails fast when the service could not listen (port taken, HOST unresolvable or not on this
 * machine), before the stores are opened and the projections started: a second `npm start` on a
 * busy port must touch nothing of the first one's. The probe closes at once; the real listen follows.
 */
export async function assertCanListen(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ port, host, exclusive: true }, resolve);
    });
  } catch (error) {
    throw new ConfigError(listenFailure(error, port, host));
  } finally {
    await new Promise<void>((resolve) => (probe.listening ? probe.close(() => resolve()) : resolve()));
  }
}

function listenFailure(error: unknown, port: number, host: string): string {
  switch ((error as { code?: unknown }).code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use (another instance of this service?): stop it or set PORT`;
    case 'EACCES':
      return `port ${port} on ${host} needs privileges this user does not have: set PORT above 1023`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST "${host}" cannot be resolved: set HOST to an address of this machine (e.g. 0.0.0.0 or 127.0.0.1)`;
    case 'EADDRNOTAVAIL':
      return `HOST "${host}" is not an address of this machine: set HOST to one (e.g. 0.0.0.0 or 127.0.0.1)`;
    default:
      return `cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
