/** The console's API client and operator session, provided once at the root. */
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { ControlApi, OperatorSession, OperatorSessionData } from '../api/control';

export interface ConsoleDeps {
  api: ControlApi;
  session: OperatorSession;
}

const ConsoleContext = createContext<ConsoleDeps | null>(null);

export function ConsoleProvider({ deps, children }: { deps: ConsoleDeps; children: ReactNode }) {
  return <ConsoleContext.Provider value={deps}>{children}</ConsoleContext.Provider>;
}

export function useConsole(): ConsoleDeps {
  const deps = useContext(ConsoleContext);
  if (!deps) throw new Error('useConsole outside ConsoleProvider');
  return deps;
}

export function useOperator(): OperatorSessionData | null {
  const { session } = useConsole();
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.get(),
  );
}
