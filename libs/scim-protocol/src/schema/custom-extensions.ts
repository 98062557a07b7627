import { attribute, type AttributeType, type SchemaDefinition } from './attribute';
import { userResourceSchema, withExtensions, type ResourceSchema, type SchemaExtension } from './resource-schema';

/** An attribute an account declared for one of its resource types (the account decider's definition). */
export interface DeclaredAttribute {
  readonly resourceType: string;
  readonly schemaUrn: string;
  readonly name: string;
  readonly type: Extract<AttributeType, 'string' | 'boolean' | 'integer' | 'decimal' | 'dateTime' | 'reference'>;
  readonly multiValued: boolean;
  readonly caseExact: boolean;
  readonly required: boolean;
  readonly description: string;
}

/** Top-level mirror fields of the declared extensions: case-folded values, and values as stored. */
export const CUSTOM_MIRROR_FOLDED = 'customFolded';
export const CUSTOM_MIRROR_EXACT = 'customExact';

/**
 * The key of an extension inside the custom mirror fields: the URN lower-cased, every character
 * but a-z and 0-9 written `_xx` (hex). MongoDB field names cannot hold the dots of "2.0", and the
 * encoding is one-to-one, so two URNs never share a key.
 */
export function customMirrorKey(urn: string): string {
  return urn.toLowerCase().replace(/[^a-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The schema extensions (RFC 7643 §3.3) of an account's declared attributes for `resourceType`, one per URN. */
export function declaredExtensions(declared: readonly DeclaredAttribute[], resourceType: string): SchemaExtension[] {
  const byUrn = new Map<string, DeclaredAttribute[]>();
  for (const d of declared) {
    if (d.resourceType !== resourceType) continue;
    const key = d.schemaUrn.toLowerCase();
    byUrn.set(key, [...(byUrn.get(key) ?? []), d]);
  }
  return [...byUrn.values()].map((attributes) => {
    const urn = attributes[0].schemaUrn;
    const schema: SchemaDefinition = {
      id: urn,
      name: schemaNameOf(urn),
      description: `Attributes this account declared for ${resourceType}s.`,
      attributes: attributes.map((a) =>
        attribute(a.name, a.description, {
          type: a.type,
          multiValued: a.multiValued,
          caseExact: a.caseExact,
          required: a.required,
          ...(a.type === 'reference' ? { referenceTypes: ['external'] } : {}),
        }),
      ),
    };
    const key = customMirrorKey(urn);
    // RFC 7643 §6: an extension is required when resources must carry it, i.e. when one of its attributes is required.
    return { schema, required: attributes.some((a) => a.required), declared: true, mirrorKey: `${CUSTOM_MIRROR_FOLDED}.${key}`, exactMirrorKey: `${CUSTOM_MIRROR_EXACT}.${key}` };
  });
}

/** `urn:…:extension:Contoso:2.0:User` → "Contoso"; else the URN's last part. */
function schemaNameOf(urn: string): string {
  const parts = urn.split(':');
  const extension = parts.findIndex((p) => p.toLowerCase() === 'extension');
  return (extension >= 0 && parts[extension + 1]) || parts[parts.length - 1];
}

/** Resource schemas an account's requests are read with: the service's own, plus its declared extensions. */
export interface AccountSchemas {
  readonly user: ResourceSchema;
}

const cache = new Map<string, AccountSchemas>();
const CACHE_SIZE = 1000;

/**
 * The account's resource schemas for its declarations and its policy for undeclared extensions.
 * Built once per distinct set of them (a request reads them from the account, most accounts
 * declare none).
 */
export function accountSchemas(declared: readonly DeclaredAttribute[] = [], undeclaredExtensions: 'refuse' | 'note' = 'refuse'): AccountSchemas {
  if (declared.length === 0 && undeclaredExtensions === 'refuse') return { user: userResourceSchema };
  const key = JSON.stringify([undeclaredExtensions, ...declared.map((d) => [d.resourceType, d.schemaUrn, d.name, d.type, d.multiValued, d.caseExact, d.required, d.description])]);
  const found = cache.get(key);
  if (found) return found;
  const built = { user: withExtensions(userResourceSchema, declaredExtensions(declared, 'User'), undeclaredExtensions === 'note') };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, built);
  return built;
}
