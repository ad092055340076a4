// Formatting of times, durations, sizes and JSON for people.

/** "350 ms", "1.25 s", "5 s", "2 min", "3 min 20 s", "5 h 2 min", "2 d 3 h". */
export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 1000) return Math.max(0, Math.round(ms)) + ' ms';
  const sec = ms / 1000;
  if (sec < 60) {
    if (Number.isInteger(sec)) return sec + ' s';
    return sec.toFixed(sec < 10 ? 2 : 1) + ' s';
  }
  const min = Math.floor(sec / 60);
  const restSec = Math.round(sec % 60);
  if (min < 60) return min + ' min' + (restSec ? ' ' + restSec + ' s' : '');
  const hours = Math.floor(min / 60);
  if (hours < 48) return hours + ' h' + (min % 60 ? ' ' + (min % 60) + ' min' : '');
  return Math.floor(hours / 24) + ' d' + (hours % 24 ? ' ' + (hours % 24) + ' h' : '');
}

export function between(from, to) {
  if (!from) return null;
  return Date.parse(to || new Date().toISOString()) - Date.parse(from);
}

/** "3 min ago", "in 5 s"; the date and time when it is more than a day away. */
export function relative(iso, now = Date.now()) {
  if (!iso) return '–';
  const diff = Date.parse(iso) - now;
  if (Math.abs(diff) >= 24 * 3600 * 1000) return dateTime(iso);
  const text = duration(Math.abs(diff)).replace(/\.\d+ s$/, ' s');
  if (Math.abs(diff) < 1000) return 'just now';
  return diff < 0 ? text + ' ago' : 'in ' + text;
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

export function dateTime(iso) {
  return iso ? DATE_TIME.format(new Date(iso)) : '–';
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** The time of day when the instant is today, else the date and time. */
export function when(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString() ? TIME.format(date) : DATE_TIME.format(date);
}

/** "+1.250 s" from the start of a run. */
export function offset(iso, startIso) {
  const ms = Date.parse(iso) - Date.parse(startIso);
  const sign = ms < 0 ? '−' : '+';
  return sign + (Math.abs(ms) / 1000).toFixed(3) + ' s';
}

export function bytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1024 / 1024).toFixed(1) + ' MiB';
}

/** JSON on one line when it is short, indented otherwise. */
export function json(value) {
  if (value === undefined) return '';
  const line = JSON.stringify(value);
  return line.length <= 72 ? line : JSON.stringify(value, null, 2);
}

export function count(n, cap) {
  return n >= cap ? cap.toLocaleString() + '+' : n.toLocaleString();
}
