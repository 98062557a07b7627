import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** Each account has its own SCIM base URL: <public URL>/scim/v2/<accountId>. */
@Injectable()
export class ScimBaseUrl {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  // Without PUBLIC_URL, the request edge served this request only if its Host is in ALLOWED_HOSTS.
  origin(request: Request): string {
    if (this.config.publicUrl) return this.config.publicUrl;
    // This server speaks plain HTTP: only behind a trusted proxy can X-Forwarded-Proto say otherwise,
    // which Express's `request.protocol` works out again on every call.
    const protocol = this.config.edge.trustProxy === undefined ? 'http' : request.protocol;
    return `${protocol}://${request.headers.host ?? `localhost:${this.config.port}`}`;
  }

  of(request: Request, accountId: string): string {
    return `${this.origin(request)}/scim/v2/${encodeURIComponent(accountId)}`;
  }
}
