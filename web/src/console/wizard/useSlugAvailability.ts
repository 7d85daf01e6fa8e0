/**
 * Whether a slug is free, asked after the user stops typing: `GET /v1/tenants/{slug}` answers
 * 404 for a slug no live tenant uses. The create call stays the authority (`409 SLUG_TAKEN`).
 */
import { useEffect, useState } from 'react';
import { call } from '../../api/call';
import { ApiError } from '../../api/errors';
import type { ControlApi } from '../../api/control';

export type Availability = 'unknown' | 'checking' | 'available' | 'taken' | 'error';

export const AVAILABILITY_DEBOUNCE_MS = 350;

export function useSlugAvailability(api: ControlApi, slug: string, valid: boolean): Availability {
  const [state, setState] = useState<Availability>('unknown');
  useEffect(() => {
    if (!valid) {
      setState('unknown');
      return;
    }
    let cancelled = false;
    setState('checking');
    const timer = setTimeout(() => {
      call(api.GET('/v1/tenants/{tenant}', { params: { path: { tenant: slug } } })).then(
        () => !cancelled && setState('taken'),
        (e: unknown) => {
          if (cancelled) return;
          setState(e instanceof ApiError && e.status === 404 ? 'available' : 'error');
        },
      );
    }, AVAILABILITY_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, slug, valid]);
  return state;
}
