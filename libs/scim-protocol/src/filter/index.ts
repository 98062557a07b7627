export type { AttributePath, CompareNode, CompareOperator, FilterLiteral, FilterNode, LogicalNode, NotNode, PatchPath, PresentNode, ValuePathNode } from './ast';
export { parseFilter, parsePatchPath, FILTER_LIMITS } from './parser';
export { validateFilter } from './operand';
export { filterToQuery, escapeRegex, type QueryDocument } from './to-query';
export { searchMirror } from './search-mirror';
export { sortPath, parseAttributeList } from './sort-and-attributes';
