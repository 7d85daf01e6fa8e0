/**
 * Cursor pagination: the API gives `nextCursor`; going back replays the cursors seen so far.
 */
import { useState } from 'react';

export function useCursorPager<C>() {
  const [stack, setStack] = useState<(C | undefined)[]>([undefined]);
  const cursor = stack[stack.length - 1];
  return {
    cursor,
    page: stack.length,
    next: (c: C) => setStack((s) => [...s, c]),
    previous: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset: () => setStack([undefined]),
  };
}

export interface PagerProps {
  page: number;
  hasNext: boolean;
  onNext: () => void;
  onPrevious: () => void;
}

export function Pager({ page, hasNext, onNext, onPrevious }: PagerProps) {
  if (page === 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="btn btn-secondary" onClick={onPrevious} disabled={page === 1}>
        Previous
      </button>
      <span>Page {page}</span>
      <button type="button" className="btn btn-secondary" onClick={onNext} disabled={!hasNext}>
        Next
      </button>
    </nav>
  );
}
