/**
 * History: what was true at any instant and why, reconstructed from recorded events (never from a
 * read model). Pure: callers read the streams and pass the entries in.
 */
export * from './history-entry';
export * from './access-as-of';
export * from './group-as-of';
export * from './explain-user';
export * from './timeline';
export * from './activity';
