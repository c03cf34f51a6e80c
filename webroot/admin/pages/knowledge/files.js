/* What the Knowledge tab accepts before a file is sent, and sizes and types as text. */

const TYPES = ['txt', 'text', 'md', 'markdown', 'html', 'htm', 'pdf', 'docx'];
export const ACCEPT = '.txt,.text,.md,.markdown,.html,.htm,.pdf,.docx';
/** http.upload_limit_bytes as shipped; a server with a lower limit answers 413, shown on the file. */
export const MAX_BYTES = 20 * 1024 * 1024;

export function fileSize(n) {
  if (n === null || n === undefined) { return ''; }
  if (n < 1024) { return n + ' B'; }
  if (n < 1024 * 1024) { return (n / 1024).toFixed(1) + ' KB'; }
  return (n / 1048576).toFixed(1) + ' MB';
}

/** The extension of a file name, lower-case ('' if none). */
export function fileType(name) {
  const m = /\.([^.\/\\]+)$/.exec(name || '');
  return m ? m[1].toLowerCase() : '';
}

/** Why a file cannot be sent, or null. */
export function checkFile(file) {
  if (TYPES.indexOf(fileType(file.name)) < 0) { return 'Not sent: only txt, md, html, pdf and docx files can be added.'; }
  if (file.size > MAX_BYTES) {
    return 'Not sent: ' + fileSize(file.size) + ' is over the upload limit of ' + fileSize(MAX_BYTES) + '.';
  }
  return null;
}
