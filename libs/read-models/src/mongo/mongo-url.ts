import { MongoClient } from 'mongodb';

/** Where the read models live when the connection string names no database (the driver would use "test"). */
export const DEFAULT_MONGO_DATABASE = 'scim';

// scheme://[user[:password]@]hosts[/database][?options], once the driver accepted it (it rejects
// an unescaped "/", "?" or "@" in the user info): the database follows the first "/" after the scheme.
const URL_PARTS = /^mongodb(?:\+srv)?:\/\/[^/?]*(?<rest>.*)$/;

/**
 * Validates `url` with the driver's own parser (connecting to nothing: the client dials only on
 * `connect()`) and returns the database the read models live in: the one the URL names, else
 * {@link DEFAULT_MONGO_DATABASE}. Throws the driver's parse error for a URL it would not accept.
 */
export function mongoDatabaseOf(url: string): string {
  new MongoClient(url);
  const rest = URL_PARTS.exec(url)?.groups?.rest ?? '';
  const database = rest.startsWith('/') ? decodeURIComponent(rest.slice(1).split('?')[0]) : '';
  return database || DEFAULT_MONGO_DATABASE;
}
