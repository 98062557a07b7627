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
 * column's heading (data-label, shown by the stylesheet), so nothing scrolls sideways.
 */
export function Table({ caption, children }: { caption: string; children: ComponentChildren }) {
  const [table, setTable] = useState<HTMLTableElement | null>(null);
  useLayoutEffect(() => {
    if (!table) return;
    const headings = [...table.querySelectorAll('thead th')].map((th) => th.textContent?.trim() ?? '');
    for (const row of table.querySelectorAll('tbody tr')) [...row.children].forEach((cell, i) => cell.setAttribute('data-label', headings[i] ?? ''));
  });
  return (
    <div class="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table ref={setTable}>
        <caption class="visually-hidden">{caption}</caption>
        {children}
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
