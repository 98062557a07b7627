export { compileQuery, UnsupportedQueryError, type DocumentPredicate } from './compile-query';
export { compareForSort, compileSort, type CompiledSort } from './sort';
export { topLevelEqualities, isIndexableValue, type IndexableValue } from './equality-constraints';
export { compareValues, jsonEquals, valuesAtPath, splitPath, type JsonObject } from './values';
