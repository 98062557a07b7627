import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { wellFormedQueryDto } from './list-query.dto';

/**
 * The global ValidationPipe, with a fast path for the SCIM query parameters every read carries:
 * well-formed ones become the DTO directly; everything else is validated as before.
 */
export class ScimValidationPipe extends ValidationPipe {
  constructor() {
    super({ transform: true, whitelist: true });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.type === 'query' ? wellFormedQueryDto(metadata.metatype, value) : undefined;
    return dto ?? super.transform(value, metadata);
  }
}
