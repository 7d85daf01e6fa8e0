/** Dates and small values as the pages show them. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** `datetime-local` input value → ISO 8601 with the browser's offset applied. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The last 8 characters: ids are UUID v7, whose leading digits are a timestamp shared by neighbours. */
export function shortId(id: string | null | undefined): string {
  return id ? id.slice(-8) : '—';
}
