import { EmbeddedReadStore } from '../embedded/embedded-read-store';
import type { Query } from '../read-store.port';
import { compileFilter, fieldsOf, UnsupportedQueryError } from './sql-query';

// The compiled SQL is judged by what it selects: each document is stored alone in its own collection.
const alice = {
  _id: 'alice',
  userName: 'alice',
  age: 31,
  active: true,
  nickName: null,
  name: { givenName: 'Alice', familyName: 'Liddell' },
  emails: [
    { value: 'alice@example.com', type: 'work', primary: true },
    { value: 'alice@home.test', type: 'home' },
  ],
  tags: ['admin', 'ops'],
  scores: [72, 88],
  matrix: [[1, 2], [3]],
};

let store: EmbeddedReadStore;
let collections = 0;
const collectionOf = new Map<object, string>();

beforeAll(() => {
  store = EmbeddedReadStore.open({ file: ':memory:' });
});

afterAll(() => store.close());

async function matches(query: Query, document: Record<string, unknown> & { _id: string } = alice): Promise<boolean> {
  let collection = collectionOf.get(document);
  if (!collection) {
    collectionOf.set(document, (collection = `c${++collections}`));
    await store.commit([{ collection, id: document._id, doc: document }], { projection: 'spec', position: collections });
  }
  return (await store.count(collection, query)) === 1;
}

describe('compileFilter, through the embedded store', () => {
  describe('equality', () => {
    it.each<[string, Query, boolean]>([
      ['empty query', {}, true],
      ['top-level string', { userName: 'alice' }, true],
      ['different string', { userName: 'Alice' }, false],
      ['number', { age: 31 }, true],
      ['number is not its string', { age: '31' }, false],
      ['boolean', { active: true }, true],
      ['$eq', { userName: { $eq: 'alice' } }, true],
      ['dotted path into an object', { 'name.givenName': 'Alice' }, true],
      ['dotted path missing', { 'name.middleName': 'X' }, false],
      ['whole embedded document, same field order', { name: { givenName: 'Alice', familyName: 'Liddell' } }, true],
      ['whole embedded document, other field order', { name: { familyName: 'Liddell', givenName: 'Alice' } }, false],
      ['embedded document with fewer fields', { name: { givenName: 'Alice' } }, false],
      ['any element of an array', { tags: 'ops' }, true],
      ['no element of an array', { tags: 'dev' }, false],
      ['the whole array', { tags: ['admin', 'ops'] }, true],
      ['the whole array in another order', { tags: ['ops', 'admin'] }, false],
      ['a nested array as an element', { matrix: [3] }, true],
      ['not a scalar inside a nested array', { matrix: 3 }, false],
      ['dotted path through an array of objects', { 'emails.type': 'home' }, true],
      ['dotted path through an array, no element matches', { 'emails.type': 'other' }, false],
      ['positional path', { 'emails.0.type': 'work' }, true],
      ['positional path, other element', { 'emails.0.type': 'home' }, false],
      ['positional path out of range', { 'emails.5.type': 'work' }, false],
      ['null matches an explicit null', { nickName: null }, true],
      ['null matches a missing field', { title: null }, true],
      ['null does not match a value', { userName: null }, false],
      ['null through an array where one element lacks the field', { 'emails.primary': null }, true],
      ['_id', { _id: 'alice' }, true],
    ])('%s', async (_, query, expected) => {
      expect(await matches(query)).toBe(expected);
    });

    it('matches a RegExp value like $regex', async () => {
      expect(await matches({ userName: /^ALI/i })).toBe(true);
      expect(await matches({ userName: /^ALI/ })).toBe(false);
      expect(await matches({ 'emails.value': /home\.test$/ })).toBe(true);
    });

    it('does not reach properties of Object.prototype through a path', async () => {
      expect(await matches({ constructor: { $exists: true } })).toBe(false);
      expect(await matches({ 'name.toString': { $exists: true } })).toBe(false);
    });
  });

  describe('$ne and $nin', () => {
    it.each<[string, Query, boolean]>([
      ['$ne other value', { userName: { $ne: 'bob' } }, true],
      ['$ne same value', { userName: { $ne: 'alice' } }, false],
      ['$ne is true when the field is missing', { title: { $ne: 'x' } }, true],
      ['$ne is false when any array element equals', { tags: { $ne: 'ops' } }, false],
      ['$ne is true when no array element equals', { tags: { $ne: 'dev' } }, true],
      ['$ne through an array of objects', { 'emails.type': { $ne: 'home' } }, false],
      ['$ne null excludes missing', { title: { $ne: null } }, false],
      ['$ne null excludes explicit null', { nickName: { $ne: null } }, false],
      ['$ne null keeps values', { userName: { $ne: null } }, true],
      ['$nin with no equal value', { tags: { $nin: ['dev', 'qa'] } }, true],
      ['$nin with an equal array element', { tags: { $nin: ['dev', 'ops'] } }, false],
      ['$nin is true when the field is missing', { title: { $nin: ['x'] } }, true],
      ['$nin with null excludes missing', { title: { $nin: [null] } }, false],
    ])('%s', async (_, query, expected) => {
      expect(await matches(query)).toBe(expected);
    });
  });

  describe('$in', () => {
    it.each<[string, Query, boolean]>([
      ['a listed value', { userName: { $in: ['bob', 'alice'] } }, true],
      ['no listed value', { userName: { $in: ['bob'] } }, false],
      ['an array element listed', { tags: { $in: ['dev', 'admin'] } }, true],
      ['null matches missing', { title: { $in: [null, 'x'] } }, true],
      ['a regular expression in the list', { userName: { $in: [/^AL/i] } }, true],
      ['an empty list', { userName: { $in: [] } }, false],
      ['through an array of objects', { 'emails.type': { $in: ['home'] } }, true],
    ])('%s', async (_, query, expected) => {
      expect(await matches(query)).toBe(expected);
    });
  });

  describe('$exists', () => {
    it.each<[string, Query, boolean]>([
      ['present', { userName: { $exists: true } }, true],
      ['explicit null counts as present', { nickName: { $exists: true } }, true],
      ['missing', { title: { $exists: true } }, false],
      ['$exists false on missing', { title: { $exists: false } }, true],
      ['$exists false on present', { age: { $exists: false } }, false],
      ['present in one array element', { 'emails.primary': { $exists: true } }, true],
      ['absent from every array element', { 'emails.display': { $exists: true } }, false],
      ['path through a scalar', { 'userName.length': { $exists: true } }, false],
    ])('%s', async (_, query, expected) => {
      expect(await matches(query)).toBe(expected);
    });
  });

  describe('range operators', () => {
    it.each<[string, Query, boolean]>([
      ['$gt number', { age: { $gt: 30 } }, true],
      ['$gt equal number', { age: { $gt: 31 } }, false],
      ['$gte equal number', { age: { $gte: 31 } }, true],
      ['$lt number', { age: { $lt: 31 } }, false],
      ['$lte equal number', { age: { $lte: 31 } }, true],
      ['a number never compares with a string operand', { age: { $gt: '1' } }, false],
      ['a string never compares with a number operand', { userName: { $gt: 1 } }, false],
      ['$gt string', { userName: { $gt: 'Alice' } }, true],
      ['$lt string by code point, uppercase first', { userName: { $lt: 'B' } }, false],
      ['$gte and $lt together', { userName: { $gte: 'a', $lt: 'b' } }, true],
      ['$gt on a missing field', { title: { $gt: '' } }, false],
      ['any array element', { scores: { $gt: 80 } }, true],
      ['no array element', { scores: { $gt: 90 } }, false],
      ['each bound satisfied by a different element', { scores: { $gt: 80, $lt: 75 } }, true],
      ['ISO-8601 instants compare as strings', { ts: { $gte: '2024-01-01T00:00:00Z' } }, false],
      ['$gte null matches missing', { title: { $gte: null } }, true],
      ['$gt null matches nothing', { title: { $gt: null } }, false],
      ['$gt boolean', { active: { $gt: false } }, true],
    ])('%s', async (_, query, expected) => {
      expect(await matches(query)).toBe(expected);
    });

    it('orders strings by code point like MongoDB, not by UTF-16 code unit', async () => {
      // U+1F600 (a surrogate pair in UTF-16) is above U+FF5E in code point order.
      expect(await matches({ s: { $gt: '\uff5e' } }, { _id: 'x', s: '\u{1f600}' })).toBe(true);
      expect(await matches({ s: { $lt: '\uff5e' } }, { _id: 'x', s: '\u{1f600}' })).toBe(false);
    });
  });

  describe('$regex', () => {
    it.each<[string, Query, boolean]>([
      ['case-sensitive miss', { userName: { $regex: '^AL' } }, false],
      ['$options i', { userName: { $regex: '^AL', $options: 'i' } }, true],
      ['a RegExp operand', { userName: { $regex: /ice$/ } }, true],
      ['$options overrides the RegExp flags', { userName: { $regex: /^AL/, $options: 'i' } }, true],
      ['any array element', { tags: { $regex: '^op' } }, true],
      ['through an array of objects', { 'emails.value': { $regex: '@EXAMPLE\\.com$', $options: 'i' } }, true],
      ['never matches a number', { age: { $regex: '31' } }, false],
      ['never matches a missing field', { title: { $regex: '.*' } }, false],
    ])('%s', async (_, query, expected) => {
      expect(await matches(query)).toBe(expected);
    });

    it('gives the same answer every time, even for a global RegExp', async () => {
      const query = { userName: /alice/g };
      expect([await matches(query), await matches(query), await matches(query)]).toEqual([true, true, true]);
    });
  });

  describe('$elemMatch', () => {
    it.each<[string, Query, boolean]>([
      ['one element satisfies the whole sub-query', { emails: { $elemMatch: { type: 'work', primary: true } } }, true],
      ['conditions met by different elements only', { emails: { $elemMatch: { type: 'home', primary: true } } }, false],
      ['sub-query with operators', { emails: { $elemMatch: { type: 'home', value: { $regex: 'HOME', $options: 'i' } } } }, true],
      ['sub-query with $or', { emails: { $elemMatch: { $or: [{ type: 'other' }, { primary: true }] } } }, true],
      ['operator form over scalars', { scores: { $elemMatch: { $gt: 80, $lt: 90 } } }, true],
      ['operator form, no single element in range', { scores: { $elemMatch: { $gt: 73, $lt: 80 } } }, false],
      ['on a field that is not an array', { name: { $elemMatch: { givenName: 'Alice' } } }, false],
      ['on a missing field', { phones: { $elemMatch: { type: 'work' } } }, false],
      ['query form never matches scalar elements', { tags: { $elemMatch: { length: 5 } } }, false],
    ])('%s', async (_, query, expected) => {
      expect(await matches(query)).toBe(expected);
    });

    it('differs from dotted paths, whose conditions may hold in different elements', async () => {
      expect(await matches({ 'emails.type': 'home', 'emails.primary': true })).toBe(true);
    });
  });

  describe('logic', () => {
    it.each<[string, Query, boolean]>([
      ['$and all hold', { $and: [{ age: 31 }, { active: true }] }, true],
      ['$and one fails', { $and: [{ age: 31 }, { active: false }] }, false],
      ['$or one holds', { $or: [{ age: 1 }, { userName: 'alice' }] }, true],
      ['$or none holds', { $or: [{ age: 1 }, { userName: 'bob' }] }, false],
      ['$nor none holds', { $nor: [{ age: 1 }, { userName: 'bob' }] }, true],
      ['$nor one holds', { $nor: [{ age: 1 }, { userName: 'alice' }] }, false],
      ['fields and logic together', { active: true, $or: [{ tags: 'dev' }, { tags: 'ops' }] }, true],
      ['$not negates the operator', { age: { $not: { $gt: 40 } } }, true],
      ['$not of a holding operator', { age: { $not: { $gt: 30 } } }, false],
      ['$not holds on a missing field', { title: { $not: { $gt: 'a' } } }, true],
      ['$not with a RegExp', { userName: { $not: /^b/ } }, true],
      ['$not with $regex and $options', { userName: { $not: { $regex: '^A', $options: 'i' } } }, false],
      ['$not of an array-element match', { tags: { $not: { $in: ['ops'] } } }, false],
    ])('%s', async (_, query, expected) => {
      expect(await matches(query)).toBe(expected);
    });
  });

  describe('rejections', () => {
    it.each<[string, Query, RegExp]>([
      ['an unknown field operator', { tags: { $size: 2 } }, /Unsupported query operator \$size at "tags"/],
      ['$all', { tags: { $all: ['ops'] } }, /\$all/],
      ['an unknown top-level operator', { $where: 'true' }, /Unsupported top-level operator \$where/],
      ['$expr', { $expr: { $eq: ['$a', 1] } }, /\$expr/],
      ['an unknown operator inside $elemMatch', { emails: { $elemMatch: { type: { $type: 'string' } } } }, /\$type/],
      ['an unknown operator inside $not', { age: { $not: { $mod: [2, 0] } } }, /\$mod/],
      ['an unknown operator inside $or', { $or: [{ age: { $size: 1 } }] }, /\$size/],
      ['operators mixed with field names', { name: { $exists: true, givenName: 'A' } }, /mixed/],
      ['$elemMatch mixing operators and fields', { emails: { $elemMatch: { $gt: 1, type: 'x' } } }, /mixes/],
      ['an empty $or', { $or: [] }, /non-empty array/],
      ['$and with a non-object', { $and: ['x'] }, /non-empty array/],
      ['$in without an array', { tags: { $in: 'ops' } }, /need an array/],
      ['$options without $regex', { userName: { $options: 'i' } }, /\$options without \$regex/],
      ['an unsupported regex flag', { userName: { $regex: 'a', $options: 'x' } }, /flags i, m and s/],
      ['an invalid regular expression', { userName: { $regex: '(' } }, /Invalid \$regex/],
      ['$not with a plain value', { age: { $not: 3 } }, /\$not needs/],
      ['an empty $not', { age: { $not: {} } }, /\$not needs/],
      ['a range on an object', { name: { $gt: { a: 1 } } }, /compares strings, numbers/],
      ['an undefined value', { userName: undefined }, /undefined/],
      ['an undefined operand', { userName: { $ne: undefined } }, /undefined operand/],
      ['a Date value', { created: new Date(0) }, /Date.*JSON/],
      ['a Date range operand', { created: { $gte: new Date(0) } }, /ISO-8601/],
      ['an empty path segment', { 'name..givenName': 'A' }, /Invalid field path/],
    ])('rejects %s', async (_, query, message) => {
      expect(() => compileFilter(query, fieldsOf('doc'))).toThrow(UnsupportedQueryError);
      expect(() => compileFilter(query, fieldsOf('doc'))).toThrow(message);
      await expect(store.count('c1', query)).rejects.toThrow(message);
    });
  });
});
