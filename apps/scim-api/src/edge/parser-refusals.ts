import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ScimError, toScimErrorBody } from '@scim/scim-protocol';

/** Node's HTTP parser error codes for a request line or headers over its 16 KB limit. */
const TOO_LARGE = new Set(['HPE_HEADER_OVERFLOW']);

/**
 * Requests Node's HTTP parser refuses never reach Express: an over-long URL or header block, a
 * malformed request line. Node answers those with an empty 400 or 431; this answers with the same
 * status and a SCIM Error body (RFC 7644 §3.12), like every other refusal, then closes.
 */
export function answerParserRefusals(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const refusal = TOO_LARGE.has(error.code ?? '')
      ? new ScimError(431, 'The request line or headers are larger than 16 KB: shorten the URL (a long filter fits in a POST .search body)')
      : new ScimError(400, 'The request is not valid HTTP/1.1');
    const body = JSON.stringify(toScimErrorBody(refusal));
    socket.end(
      `HTTP/1.1 ${refusal.status} ${refusal.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        'Content-Type: application/scim+json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}
