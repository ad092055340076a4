// The artifacts of a run: a preview of text content and a download link each.
import * as api from './api.js';
import { h } from './dom.js';
import * as fmt from './format.js';
import { notify, section } from './ui.js';

const PREVIEW_LIMIT = 64 * 1024;

function isText(contentType) {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type.startsWith('text/') || type === 'application/json' || type.endsWith('+json')
    || type === 'application/xml' || type.endsWith('+xml') || type === 'application/yaml';
}

function path(run, a) {
  return api.runPath(run.id) + '/artifacts/' + encodeURIComponent(a.step) + '/' + encodeURIComponent(a.key);
}

/** Downloads through fetch when a token is in use (a plain link could not send it). */
async function download(event, run, a) {
  if (!api.hasToken()) return;
  event.preventDefault();
  try {
    const url = URL.createObjectURL(await api.blob(path(run, a)));
    const link = h('a', { href: url, download: a.key });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    notify('Download failed: ' + e.message, 'error');
  }
}

function preview(run, a) {
  if (!isText(a.contentType)) return h('p', { class: 'muted' }, 'No preview for ' + a.contentType + '.');
  const pre = h('pre', { class: 'artifact-preview', 'data-artifact': a.step + '/' + a.key }, 'Loading…');
  api.blob(path(run, a))
    .then((b) => b.slice(0, PREVIEW_LIMIT).text())
    .then((text) => {
      pre.textContent = a.size > PREVIEW_LIMIT ? text + '\n… (' + fmt.bytes(a.size - PREVIEW_LIMIT) + ' more)' : text;
    })
    .catch((e) => { pre.textContent = 'Could not load the preview: ' + e.message; });
  return pre;
}

export function artifactsPanel(run, artifacts) {
  if (artifacts.length === 0) return section('Artifacts', h('p', { class: 'muted' }, 'No artifacts.'));
  return section('Artifacts', artifacts.map((a) => h('div', { class: 'artifact' },
    h('div', { class: 'artifact-head' },
      h('strong', { class: 'mono' }, a.key), h('span', { class: 'muted' }, 'from ' + a.step),
      h('span', { class: 'muted' }, a.contentType + ' · ' + fmt.bytes(a.size)),
      h('a', { class: 'button small', href: path(run, a), download: a.key, onclick: (e) => download(e, run, a) }, 'Download')),
    preview(run, a))));
}
