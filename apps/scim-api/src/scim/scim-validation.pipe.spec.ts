import 'reflect-metadata';
import { ValidationPipe, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { AttributesQueryDto, ListQueryDto, wellFormedQueryDto } from './list-query.dto';
import { ScimValidationPipe } from './scim-validation.pipe';

const reference = new ValidationPipe({ transform: true, whitelist: true });
const pipe = new ScimValidationPipe();

/** What a pipe makes of a query: the DTO, or the error it answers with. */
async function outcome(target: PipeTransform, query: Record<string, unknown>, metatype: Function) {
  const metadata: ArgumentMetadata = { type: 'query', metatype: metatype as ArgumentMetadata['metatype'] };
  // ValidationPipe may edit what it is given: each pipe gets its own copy.
  const copy = Object.assign(Object.create(null), structuredClone(query)) as Record<string, unknown>;
  try {
    return { dto: await target.transform(copy, metadata) };
  } catch (error) {
    return { error: (error as { getResponse(): unknown }).getResponse() };
  }
}

const listQueries: Record<string, unknown>[] = [
  {},
  { filter: 'userName eq "ann@example.com"', startIndex: '1', count: '100' },
  { startIndex: '201', count: '100', sortBy: 'userName', sortOrder: 'descending' },
  { count: '', startIndex: '' },
  { count: '-5', startIndex: '0' },
  { count: '007' },
  { attributes: 'userName,emails', excludedAttributes: 'groups' },
  { filter: '' },
  { aadOptscim062020: '', foo: 'bar', count: '3' },
  { constructor: 'y', hasOwnProperty: 'z', count: '4' },
  // Left to class-validator: its own reading or its own error.
  { count: 'ten' },
  { count: '1.5' },
  { count: ' 5' },
  { count: '+5' },
  { count: '1e3' },
  { count: '12345678901234567890' },
  { count: ['1', '2'] },
  { sortOrder: 'up' },
  { sortOrder: 'Ascending' },
  { attributes: ['userName', 'emails'] },
  { filter: ['a', 'b'] },
];

const attributeQueries: Record<string, unknown>[] = [
  {},
  { attributes: 'userName' },
  { excludedAttributes: 'emails', count: '5' },
  { attributes: ['userName', 'emails'] },
];

describe('ScimValidationPipe', () => {
  it.each(listQueries)('reads the list query %j exactly as ValidationPipe does', async (query) => {
    const fast = await outcome(pipe, query, ListQueryDto);
    expect(fast).toStrictEqual(await outcome(reference, query, ListQueryDto));
  });

  it.each(attributeQueries)('reads the attribute selection %j exactly as ValidationPipe does', async (query) => {
    expect(await outcome(pipe, query, AttributesQueryDto)).toStrictEqual(await outcome(reference, query, AttributesQueryDto));
  });

  it('takes the fast path for well-formed queries and leaves the rest to class-validator', () => {
    expect(wellFormedQueryDto(ListQueryDto, { filter: 'userName eq "a"', startIndex: '1', count: '100' })).toBeInstanceOf(ListQueryDto);
    expect(wellFormedQueryDto(ListQueryDto, { count: 'ten' })).toBeUndefined();
    expect(wellFormedQueryDto(ListQueryDto, { sortOrder: 'up' })).toBeUndefined();
    expect(wellFormedQueryDto(ListQueryDto, { attributes: ['a', 'b'] })).toBeUndefined();
    expect(wellFormedQueryDto(Object, { count: '1' })).toBeUndefined();
  });

  it('still validates bodies', async () => {
    const failed = await outcome(pipe, { count: 'ten' }, ListQueryDto);
    expect(failed).toHaveProperty('error');
    await expect(Promise.resolve(pipe.transform({ sortOrder: 'up' }, { type: 'body', metatype: ListQueryDto }))).rejects.toThrow();
  });

  // What every request carries: the caller's context (a custom decorator), an untyped body, named strings.
  const asTheyAre: [unknown, ArgumentMetadata][] = [
    [{ accountId: 'a', at: '2026-01-01T00:00:00.000Z' }, { type: 'custom', metatype: Object }],
    [{ id: 'x' }, { type: 'custom', metatype: Object, data: 'id' }],
    [{ schemas: [], userName: 'ann' }, { type: 'body', metatype: Object }],
    [['a'], { type: 'body', metatype: Array }],
    ['text', { type: 'body', metatype: String }],
    [undefined, { type: 'body', metatype: undefined }],
    ['5', { type: 'body', metatype: Number, data: 'count' }],
    ['5', { type: 'param', metatype: Number, data: 'count' }],
    ['true', { type: 'query', metatype: Boolean, data: 'flag' }],
    [{ a: '1' }, { type: 'query', metatype: Object }],
  ];

  it.each(asTheyAre)('answers %j (%j) as ValidationPipe does, as a value when it passes it through untouched', async (value, metadata) => {
    const answer = pipe.transform(value, metadata);
    expect(await answer).toStrictEqual(await reference.transform(value, metadata));
    if (metadata.type === 'custom' || !metadata.data) expect(answer).toBe(value);
  });
});
