import type { AttributePathParts } from '../schema/resource-schema';

/** The comparison operators of RFC 7644 §3.4.2.2, Table 3. */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** compValue of the filter ABNF: a JSON string, number, true, false or null. */
export type FilterLiteral = string | number | boolean | null;

/** An attribute path as written in the filter, with its offset (0-based) for error messages. */
export interface AttributePath extends AttributePathParts {
  readonly text: string;
  readonly position: number;
}

export interface CompareNode {
  readonly kind: 'compare';
  readonly path: AttributePath;
  readonly op: CompareOperator;
  readonly value: FilterLiteral;
  readonly position: number;
}

export interface PresentNode {
  readonly kind: 'present';
  readonly path: AttributePath;
}

export interface LogicalNode {
  readonly kind: 'and' | 'or';
  readonly left: FilterNode;
  readonly right: FilterNode;
}

export interface NotNode {
  readonly kind: 'not';
  readonly filter: FilterNode;
}

/**
 * `emails[type eq "work"]`: the inner filter is over the sub-attributes of one value. A trailing
 * `.value eq "x"` (Entra's uniqueness probe) is joined to the inner filter with `and`, since both
 * must hold for the same value.
 */
export interface ValuePathNode {
  readonly kind: 'valuePath';
  readonly path: AttributePath;
  readonly filter: FilterNode;
}

/** A parsed SCIM filter. */
export type FilterNode = CompareNode | PresentNode | LogicalNode | NotNode | ValuePathNode;

/** A PATCH `path` (RFC 7644 §3.5.2, Figure 7): `attrPath` or `valuePath [subAttr]`. */
export interface PatchPath {
  readonly text: string;
  readonly attribute: AttributePath;
  readonly filter?: FilterNode;
  readonly subAttr?: string;
}
