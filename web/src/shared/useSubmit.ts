/** Runs a form's action: `busy` while it runs, `error` if it threw, cleared on the next try. */
import { useState } from 'react';

export type Outcome<R> = { ok: true; value: R } | { ok: false };

export function useSubmit<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run(...args: A): Promise<Outcome<R>> {
    setBusy(true);
    setError(null);
    try {
      return { ok: true, value: await action(...args) };
    } catch (e) {
      setError(e);
      return { ok: false };
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, run };
}
