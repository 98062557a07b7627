import { findAttribute, subAttribute, type AttributeDefinition, type SchemaDefinition } from './attribute';
import { commonAttributes } from './common';
import { groupSchema } from './group.schema';
import { enterpriseUserSchema, userSchema } from './user.schema';

/** A schema extension of a resource type (RFC 7643 §6 `schemaExtensions`). */
export interface SchemaExtension {
  readonly schema: SchemaDefinition;
  readonly required: boolean;
  /**
   * Key of the extension in the search mirror: MongoDB field names cannot hold the dots of
   * "2.0" in the URN.
   */
  readonly mirrorKey: string;
  /**
   * Set for an extension an account declared: its mirror keeps every value twice, case-folded
   * under `mirrorKey` and as stored under this key, since the projection that writes the mirror
   * does not know the attributes' caseExact (see `customMirror`).
   */
  readonly exactMirrorKey?: string;
  /** True for an extension an account declared: attributes it does not declare are refused, not ignored. */
  readonly declared?: boolean;
}

/** An attribute path split per the ABNF of RFC 7644 §3.10: `[URI ":"] ATTRNAME ["." subAttr]`. */
export interface AttributePathParts {
  readonly uri?: string;
  readonly name: string;
  readonly subAttr?: string;
}

/** Where an attribute path points in a resource schema. */
export interface ResolvedAttribute {
  /** The schema owning the attribute (the core schema for common attributes). */
  readonly schemaUrn: string;
  /** Set when the attribute belongs to an extension; its value lives under the extension URN key. */
  readonly extension?: SchemaExtension;
  readonly attribute: AttributeDefinition;
  readonly subAttribute?: AttributeDefinition;
  /** True when an extension attribute was named without its URN (a lenient reading). */
  readonly unqualified: boolean;
}

/** A resource type (User, Group) with its core schema, common attributes and extensions. */
export interface ResourceSchema {
  /** Resource type name: "User" or "Group". */
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: SchemaDefinition;
  readonly commonAttributes: readonly AttributeDefinition[];
  readonly extensions: readonly SchemaExtension[];
  /**
   * True when the account accepts extensions it has not declared, while migrating an IdP: their
   * values are left out and noted instead of refused.
   */
  readonly notesUndeclaredExtensions?: boolean;
  /**
   * Resolves `name`, `name.sub`, `urn:…:name` or `urn:…:name.sub`, case-insensitively
   * (RFC 7643 §2.1). An extension attribute named without its URN resolves when unambiguous.
   * Undefined when the path names nothing in this resource type.
   */
  resolve(path: string | AttributePathParts): ResolvedAttribute | undefined;
  /** The extension whose URN this is (case-insensitive), if any. */
  extension(urn: string): SchemaExtension | undefined;
  /** True for the core schema URN or an extension URN (case-insensitive). */
  knowsSchema(urn: string): boolean;
}

const ATTRIBUTE_NAME = /^(?:\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;

/**
 * Splits attribute-notation text (RFC 7644 §3.10) into URI, name and sub-attribute. The URI ends
 * at the last colon: attribute names cannot contain one, while URNs contain dots ("2.0").
 * Undefined when the text is not attribute notation.
 */
export function splitAttributePath(text: string): AttributePathParts | undefined {
  let uri: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const colon = text.lastIndexOf(':');
    uri = text.slice(0, colon);
    rest = text.slice(colon + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => ATTRIBUTE_NAME.test(p))) return undefined;
  return { ...(uri !== undefined ? { uri } : {}), name: parts[0], ...(parts[1] !== undefined ? { subAttr: parts[1] } : {}) };
}

function createResourceSchema(
  name: string,
  endpoint: string,
  description: string,
  schema: SchemaDefinition,
  extensions: readonly SchemaExtension[],
): ResourceSchema {
  const common = commonAttributes(name);
  const extension = (urn: string) => extensions.find((e) => e.schema.id.toLowerCase() === urn.toLowerCase());

  function withSub(base: Omit<ResolvedAttribute, 'subAttribute'>, subAttr: string | undefined): ResolvedAttribute | undefined {
    if (subAttr === undefined) return base;
    const sub = subAttribute(base.attribute, subAttr);
    return sub ? { ...base, subAttribute: sub } : undefined;
  }

  function resolve(path: string | AttributePathParts): ResolvedAttribute | undefined {
    const parts = typeof path === 'string' ? splitAttributePath(path) : path;
    if (!parts) return undefined;
    const { uri, name: attrName, subAttr } = parts;
    if (uri !== undefined) {
      if (uri.toLowerCase() === schema.id.toLowerCase()) {
        const core = findAttribute(schema.attributes, attrName) ?? findAttribute(common, attrName);
        return core && withSub({ schemaUrn: schema.id, attribute: core, unqualified: false }, subAttr);
      }
      const ext = extension(uri);
      const attr = ext && findAttribute(ext.schema.attributes, attrName);
      return attr && withSub({ schemaUrn: ext.schema.id, extension: ext, attribute: attr, unqualified: false }, subAttr);
    }
    const core = findAttribute(schema.attributes, attrName) ?? findAttribute(common, attrName);
    if (core) return withSub({ schemaUrn: schema.id, attribute: core, unqualified: false }, subAttr);
    const owners = extensions.filter((e) => findAttribute(e.schema.attributes, attrName));
    if (owners.length !== 1) return undefined;
    const [ext] = owners;
    const attr = findAttribute(ext.schema.attributes, attrName) as AttributeDefinition;
    return withSub({ schemaUrn: ext.schema.id, extension: ext, attribute: attr, unqualified: true }, subAttr);
  }

  return {
    name,
    endpoint,
    description,
    schema,
    commonAttributes: common,
    extensions,
    resolve,
    extension,
    knowsSchema: (urn) => urn.toLowerCase() === schema.id.toLowerCase() || extension(urn) !== undefined,
  };
}

/** The User resource type: core User schema plus the (optional) Enterprise User extension. */
export const userResourceSchema: ResourceSchema = createResourceSchema('User', '/Users', 'User Account', userSchema, [
  { schema: enterpriseUserSchema, required: false, mirrorKey: 'enterprise' },
]);

/** `base` with more extensions: an account's declared ones (custom-extensions.ts). */
export function withExtensions(base: ResourceSchema, extensions: readonly SchemaExtension[], notesUndeclaredExtensions = false): ResourceSchema {
  if (extensions.length === 0 && !notesUndeclaredExtensions) return base;
  const extended = createResourceSchema(base.name, base.endpoint, base.description, base.schema, [...base.extensions, ...extensions]);
  return notesUndeclaredExtensions ? { ...extended, notesUndeclaredExtensions } : extended;
}

/** The Group resource type. */
export const groupResourceSchema: ResourceSchema = createResourceSchema('Group', '/Groups', 'Group', groupSchema, []);
