import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { publicEventTypes, type PublicEventType } from '@scim/public-events';

/** The documented JSON Schema of each public event type (docs/events/<type>.schema.json), compiled. */
export function documentedEventSchemas(): ReadonlyMap<PublicEventType, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true });
  ajv.addFormat('date-time', (value: string) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)));
  const read = (type: string) => JSON.parse(readFileSync(join(__dirname, '../../docs/events', `${type}.schema.json`), 'utf8'));
  return new Map(publicEventTypes.map((type) => [type, ajv.compile(read(type))]));
}
