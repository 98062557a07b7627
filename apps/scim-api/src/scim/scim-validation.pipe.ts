import { ValidationPipe, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { wellFormedQueryDto } from './list-query.dto';

// The types ValidationPipe never validates (its `toValidate`); it transforms their values only for a named parameter.
const NOT_VALIDATED: ReadonlySet<unknown> = new Set([String, Boolean, Number, Array, Object, Buffer, Date, undefined, null]);

/**
 * The global pipe: ValidationPipe({ transform: true, whitelist: true }), with fast paths for what
 * every request carries, answered as values (a pipe may answer a value or a promise) without
 * ValidationPipe's promises: a custom decorator's value (the SCIM caller's context) and a whole
 * body typed without a class, as they are; well-formed SCIM query parameters, as their DTO.
 * Everything else goes to ValidationPipe.
 */
export class ScimValidationPipe implements PipeTransform {
  private readonly validation = new ValidationPipe({ transform: true, whitelist: true });

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (returnedAsItIs(metadata)) return value;
    const dto = metadata.type === 'query' ? wellFormedQueryDto(metadata.metatype, value) : undefined;
    return dto ?? this.validation.transform(value, metadata);
  }
}

/** What ValidationPipe({ transform: true }) returns untouched: custom decorators are not validated by default. */
function returnedAsItIs({ type, metatype, data }: ArgumentMetadata): boolean {
  return type === 'custom' || (!data && NOT_VALIDATED.has(metatype));
}
