import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';

/** One message as received, after its signature was checked with the published Standard Webhooks library. */
export interface ReceivedMessage {
  readonly webhookId: string;
  readonly verified: boolean;
  readonly event: { readonly id: string; readonly type: string; readonly cursor: string; readonly requestId: string | null; readonly data: Record<string, any> };
}

/**
 * A local webhook consumer on 127.0.0.1: verifies every message with `standardwebhooks` (as an
 * application would), records it, and answers 204, or `failWith` while that is set.
 */
export class WebhookReceiver {
  readonly messages: ReceivedMessage[] = [];
  failWith: number | undefined;
  /** From this many messages on, each is recorded but never answered (the sender is cut off mid-delivery). */
  holdFrom: number | undefined;
  private readonly held: ServerResponse[] = [];
  private server?: Server;
  private verifier?: Webhook;

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  useSecret(secret: string): void {
    this.verifier = new Webhook(secret);
  }

  start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (this.failWith !== undefined) {
          response.writeHead(this.failWith).end('receiver unavailable');
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        this.messages.push({ webhookId: String(request.headers['webhook-id']), verified: this.verify(body, request.headers), event: JSON.parse(body) });
        if (this.holdFrom !== undefined && this.messages.length > this.holdFrom) this.held.push(response);
        else response.writeHead(204).end();
      });
    });
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Answers nothing more to the held requests: their connections are cut. */
  release(): void {
    this.holdFrom = undefined;
    for (const response of this.held.splice(0)) response.destroy();
  }

  async stop(): Promise<void> {
    this.release();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Ids of the events received, first arrival of each, in arrival order. */
  firstArrivals(): string[] {
    return [...new Set(this.messages.map((m) => m.event.id))];
  }

  private verify(body: string, headers: IncomingHttpHeaders): boolean {
    try {
      this.verifier?.verify(body, headers as Record<string, string>);
      return this.verifier !== undefined;
    } catch {
      return false;
    }
  }
}
