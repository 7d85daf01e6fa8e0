/**
 * The workspace's files: storage status, upload (staff and up), and the list in key order with
 * a prefix filter and cursor pages; each file can be downloaded, shared through a signed link
 * and (staff and up) deleted.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { can, useIdentity, useMe, usePortal } from '../context';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading, Notice } from '../../shared/Status';
import { Pager, useCursorPager } from '../../shared/Pager';
import { TextField } from '../../shared/forms/TextField';
import { useLoad } from '../../shared/useLoad';
import { StoragePanel } from './StoragePanel';
import { UploadForm } from './UploadForm';
import { FileRow } from './FileRow';
import { SignedLinkPanel, type SignedLink } from './SignedLinkPanel';

export const PAGE_SIZE = 50;

export function FilesPage() {
  const { api } = usePortal();
  const { tenant } = useIdentity();
  const canWrite = can(useMe(), 'files.write');
  const [prefix, setPrefix] = useState('');
  const [prefixDraft, setPrefixDraft] = useState('');
  const [link, setLink] = useState<SignedLink | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  const pager = useCursorPager<string>();
  const status = useLoad(() => call(api.GET('/v1/storage')), [api]);
  const files = useLoad(
    () => call(api.GET('/v1/files', { params: { query: { prefix: prefix || undefined, cursor: pager.cursor, limit: PAGE_SIZE } } })),
    [api, prefix, pager.cursor],
  );

  function changed() {
    files.reload();
    status.reload();
  }

  function onFilter(e: FormEvent) {
    e.preventDefault();
    setPrefix(prefixDraft);
    pager.reset();
  }

  function clearFilter() {
    setPrefixDraft('');
    setPrefix('');
    pager.reset();
  }

  const items = files.data?.items ?? [];
  return (
    <Page title="Files" site={tenant.displayName}>
      <StoragePanel status={status.data} error={status.error} loading={status.loading} />
      {link ? <SignedLinkPanel link={link} onDismiss={() => setLink(null)} /> : null}
      {canWrite ? (
        <UploadForm
          prefix={prefix}
          maxUploadBytes={status.data?.maxUploadBytes ?? null}
          onUploaded={() => {
            setDeleted(null);
            changed();
          }}
        />
      ) : null}
      <section aria-labelledby="files-heading">
        <h2 id="files-heading">Stored files</h2>
        <form className="filters" role="search" aria-label="Filter files" onSubmit={onFilter}>
          <TextField
            label="Key starts with"
            value={prefixDraft}
            onChange={setPrefixDraft}
            autoComplete="off"
            spellCheck={false}
            hint="A folder such as reports/ or the start of a name."
          />
          <div className="button-row">
            <button type="submit" className="btn btn-secondary">
              Filter
            </button>
            {prefix ? (
              <button type="button" className="btn btn-link" onClick={clearFilter}>
                Show all files
              </button>
            ) : null}
          </div>
        </form>
        {deleted ? (
          <Notice>
            Deleted <code>{deleted}</code>.
          </Notice>
        ) : null}
        <ErrorAlert error={files.error} title="The files could not be loaded" />
        {files.loading && !files.data ? <Loading label="Loading the files…" /> : null}
        {files.data && items.length === 0 ? (
          <Empty>
            {prefix ? (
              <>
                No file keys start with <code>{prefix}</code>.
              </>
            ) : (
              <>No files yet.{canWrite ? ' Upload one above.' : ''}</>
            )}
          </Empty>
        ) : null}
        {items.length > 0 ? (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Size</th>
                  <th scope="col">Type</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((f) => (
                  <FileRow
                    key={f.key}
                    file={f}
                    canWrite={canWrite}
                    onSigned={setLink}
                    onDeleted={(key) => {
                      setDeleted(key);
                      // Gone at once; the reload then brings the page (and the usage) up to date.
                      if (files.data) files.setData({ ...files.data, items: items.filter((i) => i.key !== key) });
                      changed();
                    }}
                  />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager
          page={pager.page}
          hasNext={Boolean(files.data?.nextCursor)}
          onNext={() => files.data?.nextCursor && pager.next(files.data.nextCursor)}
          onPrevious={pager.previous}
        />
      </section>
    </Page>
  );
}
