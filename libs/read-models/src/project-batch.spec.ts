import type { RecordedEvent } from '@scim/event-store';
import { projectBatch, ProjectionEventError, type DocumentLoader } from './project-batch';
import type { Doc } from './read-store.port';
import { TALLIES, tallyProjection } from './testing/tally-projection';

let position = 0;
function recorded(type: string, tallyId: string, data: Record<string, unknown> = {}): RecordedEvent {
  position += 1;
  return {
    id: `e${position}`,
    type,
    data: { tallyId, ...data },
    metadata: {},
    streamId: `tally-${tallyId}`,
    revision: 0,
    position,
    recordedAt: '2024-01-01T00:00:00.000Z',
  };
}

/** A loader over a map, recording what it was asked for. */
function loaderOver(documents: ReadonlyMap<string, Doc>) {
  const calls: [string, readonly string[]][] = [];
  const load: DocumentLoader = async (collection, ids) => {
    calls.push([collection, ids]);
    return new Map(ids.filter((id) => documents.has(id)).map((id) => [id, documents.get(id) as Doc]));
  };
  return { load, calls };
}

describe('projectBatch', () => {
  it('folds the events into each targeted document, loaded once, and stamps _position', async () => {
    const events = [
      recorded('TallyOpened', 'a'),
      recorded('TallyOpened', 'b'),
      recorded('TallyIncremented', 'a', { by: 2 }),
      recorded('TallyIncremented', 'a', { by: 3 }),
    ];
    const { load, calls } = loaderOver(new Map());

    const changes = await projectBatch(tallyProjection(), events, load);

    expect(calls).toEqual([[TALLIES, ['a', 'b']]]);
    expect(changes).toEqual([
      { collection: TALLIES, id: 'a', doc: { _id: 'a', total: 5, _position: events[3].position } },
      { collection: TALLIES, id: 'b', doc: { _id: 'b', total: 0, _position: events[1].position } },
    ]);
  });

  it('skips events at or below a document’s _position, so a replay changes nothing', async () => {
    const events = [recorded('TallyOpened', 'a'), recorded('TallyIncremented', 'a', { by: 2 })];
    const first = await projectBatch(tallyProjection(), events, loaderOver(new Map()).load);
    const projected = new Map(first.map((change) => [change.id, change.doc as Doc]));

    const replayed = await projectBatch(tallyProjection(), events, loaderOver(projected).load);
    expect(replayed).toEqual([]);

    const next = recorded('TallyIncremented', 'a', { by: 10 });
    const resumed = await projectBatch(tallyProjection(), [...events, next], loaderOver(projected).load);
    expect(resumed).toEqual([{ collection: TALLIES, id: 'a', doc: { _id: 'a', total: 12, _position: next.position } }]);
  });

  it('deletes a document that existed, and writes nothing for one that never did', async () => {
    const existing = new Map<string, Doc>([['a', { _id: 'a', total: 1, _position: 0 }]]);
    const changes = await projectBatch(
      tallyProjection(),
      [recorded('TallyClosed', 'a'), recorded('TallyOpened', 'b'), recorded('TallyClosed', 'b'), recorded('TallyIncremented', 'c', { by: 1 })],
      loaderOver(existing).load,
    );
    expect(changes).toEqual([{ collection: TALLIES, id: 'a', doc: null }]);
  });

  it('lists created documents in the order of their creating events, after a re-created one is deleted', async () => {
    const existing = new Map<string, Doc>([
      ['b', { _id: 'b', total: 1, _position: 0 }],
      ['r', { _id: 'r', total: 1, _position: 0 }],
    ]);
    const changes = await projectBatch(
      tallyProjection(),
      [
        recorded('TallyIncremented', 'r', { by: 1 }),
        recorded('TallyClosed', 'b'),
        recorded('TallyOpened', 'x'),
        recorded('TallyOpened', 'b'),
      ],
      loaderOver(existing).load,
    );
    expect(changes.map(({ id, doc }) => [id, doc === null ? null : (doc.total as number)])).toEqual([
      ['r', 2],
      ['b', null],
      ['x', 0],
      ['b', 0],
    ]);
  });

  it('ignores events that target nothing', async () => {
    const { load, calls } = loaderOver(new Map());
    const unrelated: RecordedEvent = { ...recorded('Other', 'x'), data: {} };
    expect(await projectBatch(tallyProjection(), [unrelated], load)).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('reports the event an evolve failed on', async () => {
    const opened = recorded('TallyOpened', 'a');
    const poison = recorded('TallyPoisoned', 'a');
    const attempt = projectBatch(tallyProjection(), [opened, poison], loaderOver(new Map()).load);
    await expect(attempt).rejects.toBeInstanceOf(ProjectionEventError);
    await expect(attempt).rejects.toMatchObject({
      projection: 'tallies',
      event: poison,
      message: expect.stringContaining(`TallyPoisoned ${poison.id} (stream tally-a, position ${poison.position}): poisoned tally`),
    });
  });

  it('rejects a document whose _id is not the target id', async () => {
    const projection = { ...tallyProjection(), evolve: () => ({ _id: 'someone-else' }) };
    await expect(projectBatch(projection, [recorded('TallyOpened', 'a')], loaderOver(new Map()).load)).rejects.toThrow(
      /must return null or a document whose _id is "a"/,
    );
  });
});
