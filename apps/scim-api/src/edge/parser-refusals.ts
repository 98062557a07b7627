import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { ScimError, toScimErrorBody } from '@scim/scim-protocol';

/** Node's own answers to what its HTTP parser refuses (node:_http_server), with a detail each. */
function refusalOf(code: string | undefined): ScimError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ScimError(431, 'The request line or headers are larger than 16 KB: shorten the URL (a long filter fits in a POST .search body)');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ScimError(413, 'Chunk extensions are larger than Node accepts');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ScimError(408, 'The request did not arrive in time');
    default:
      return new ScimError(400, 'The request is not valid HTTP/1.1');
  }
}

/**
 * Requests Node's HTTP parser refuses never reach Express: an over-long URL or header block, a
 * malformed request line, a request that trickles in past the timeouts. Node answers those with an
 * empty 400, 408, 413 or 431; this answers with the same status and a SCIM Error body (RFC 7644
 * §3.12), like every other refusal, then closes.
 */
export function answerParserRefusals(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket & { _httpMessage?: { _headerSent?: boolean } | null }) => {
    // As Node does (socketOnError): nothing to say on a reset connection or once a response has begun on it.
    if (!socket.writable || error.code === 'ECONNRESET' || socket._httpMessage?._headerSent) {
      socket.destroy();
      return;
    }
    const refusal = refusalOf(error.code);
    const body = JSON.stringify(toScimErrorBody(refusal));
    socket.end(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n` +
        'Content-Type: application/scim+json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}
