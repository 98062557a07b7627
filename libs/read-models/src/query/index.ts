export { compileFilter, compileSort, topLevelEqualities, UnsupportedQueryError, type Sql } from './sql-query';
