/**
 * Hands a (signed) URL to the browser's download manager. The file is served as an attachment,
 * so the page stays where it is and the bytes stream to disk instead of into a `Blob` in
 * memory — files may be gigabytes (the enterprise plan allows 5 GiB uploads).
 */
export function startDownload(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
