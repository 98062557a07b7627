import type { TimelineEntry } from './api';
import { actorName, when, type Labels } from './format';
import { ErrorNote } from './ui';

/** A user's history in words, each step with who did it (tokens and keys by label). */
export function Timeline({ events, error, labels }: { events?: readonly TimelineEntry[]; error?: string; labels: Labels }) {
  return (
    <>
      <ErrorNote error={error} />
      <ol class="timeline">
        {(events ?? []).map((entry, i) => (
          <li key={i}>
            <time dateTime={entry.at}>{when(entry.at)}</time> {entry.summary} <span class="muted">by {actorName(labels, entry.actor)}</span>
          </li>
        ))}
      </ol>
    </>
  );
}
