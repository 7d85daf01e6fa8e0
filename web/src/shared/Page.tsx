/**
 * A page: sets the document title and moves focus to its heading when it opens, so keyboard
 * and screen-reader users land on the new content after navigation.
 */
import { useEffect, useRef, type ReactNode } from 'react';

export interface PageProps {
  title: string;
  /** Appended to the document title, e.g. the app or tenant name. */
  site?: string;
  actions?: ReactNode;
  children: ReactNode;
  narrow?: boolean;
}

export function Page({ title, site, actions, children, narrow }: PageProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = site ? `${title} · ${site}` : title;
    heading.current?.focus();
  }, [title, site]);
  return (
    <div className={narrow ? 'page page-narrow' : 'page'}>
      <div className="page-head">
        <h1 tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
      {children}
    </div>
  );
}
