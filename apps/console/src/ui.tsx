import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useState } from 'preact/hooks';

/** Loads on mount and when `deps` change; `reload` fetches again. Errors are shown, never thrown. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ data: s.data, loading: true }));
    load().then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error: messageOf(error), loading: false }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

/** `value`, once it has stopped changing for `ms`: a search box asks once per pause, not per key. */
export function useSettled<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** A list's search box and page: a new search starts at the first page; the list asks once per pause. */
export function useSearchPaging() {
  const [search, setSearch] = useState('');
  const [startIndex, setStartIndex] = useState(1);
  const query = useSettled(search);
  const onSearch = (value: string) => {
    setSearch(value);
    setStartIndex(1);
  };
  return { search, query, onSearch, startIndex, setStartIndex };
}

export function SearchField({ id, label, placeholder, value, onSearch }: { id: string; label: string; placeholder: string; value: string; onSearch: (value: string) => void }) {
  return (
    <div class="field-row">
      <label for={id}>{label}</label>
      <input id={id} type="search" placeholder={placeholder} value={value} onInput={(e) => onSearch(e.currentTarget.value)} />
    </div>
  );
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs an action, keeping its error (or success note) to show next to the control that started it. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(async (action: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (failure) {
      setError(messageOf(failure));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(undefined) };
}

export function ErrorNote({ error }: { error?: string }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function Loading({ when, children }: { when: boolean; children?: ComponentChildren }) {
  return when ? <p class="muted" aria-live="polite">Loading…</p> : <>{children}</>;
}

/**
 * A table that becomes one card per row on a narrow screen: each cell is labelled with its
 * column's heading (data-label, shown by the stylesheet), so nothing scrolls sideways. `children`
 * are the body's rows; an empty column name is an unnamed actions column.
 */
export function Table({ caption, columns, children }: { caption: string; columns: readonly string[]; children: ComponentChildren }) {
  const [body, setBody] = useState<HTMLTableSectionElement | null>(null);
  useLayoutEffect(() => {
    for (const row of body?.rows ?? []) [...row.cells].forEach((cell, i) => cell.setAttribute('data-label', columns[i] ?? ''));
  });
  return (
    <div class="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column, i) => (
              <th scope="col" key={i}>
                {column || <span class="visually-hidden">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody ref={setBody}>{children}</tbody>
      </table>
    </div>
  );
}

export function Pager({ startIndex, count, total, onPage, noun }: { startIndex: number; count: number; total: number; onPage: (start: number) => void; noun: string }) {
  const last = Math.min(total, startIndex + count - 1);
  return (
    <nav class="pager" aria-label={`${noun} pages`}>
      <span aria-live="polite">{total === 0 ? `No ${noun}` : `${startIndex}–${last} of ${total} ${noun}`}</span>
      <button type="button" disabled={startIndex <= 1} onClick={() => onPage(Math.max(1, startIndex - count))}>
        Previous
      </button>
      <button type="button" disabled={last >= total} onClick={() => onPage(startIndex + count)}>
        Next
      </button>
    </nav>
  );
}

export function SourceBadge({ source }: { source?: string }) {
  return source ? <span class={`badge source-${source.toLowerCase()}`}>{source}</span> : null;
}

/** Copies text to the clipboard and says so where a screen reader hears it. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [note, setNote] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setNote('Copied');
    } catch {
      setNote('Copy failed: select the text and copy it');
    }
  };
  return (
    <>
      <button type="button" onClick={copy} aria-describedby={undefined} title={label}>
        Copy
      </button>
      <span class="copy-note" aria-live="polite">
        {note}
      </span>
    </>
  );
}

/** A `<dialog>` opened modally while mounted: Escape and the close buttons call `onClose`. */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const [node, setNode] = useState<HTMLDialogElement | null>(null);
  useEffect(() => {
    if (node && !node.open) node.showModal();
  }, [node]);
  return (
    <dialog
      ref={setNode}
      aria-labelledby="dialog-title"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id="dialog-title">{title}</h2>
      {children}
    </dialog>
  );
}
