/**
 * Loads data for a page: `{ data, error, loading, reload }`. A newer load wins over an older
 * one still in flight, so quick filter changes never show stale results.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Replaces the data, or updates it from the newest value (for changes that may overlap). */
  setData: (data: T | ((current: T | null) => T)) => void;
}

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const run = useCallback(load, deps);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    run().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== generation.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [run]);

  useEffect(() => {
    reload();
    return () => {
      generation.current++;
    };
  }, [reload]);

  return { data, error, loading, reload, setData };
}
