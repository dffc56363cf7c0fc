/**
 * The MAU bar chart: server-rendered SVG, inline in the page (no script, no font, no
 * style attribute: the page's CSP allows neither), every label escaped.
 */
import { escapeHtml } from '../shared/html';
import type { MonthCount } from './views';

const W = 720;
const H = 260;
const PAD = { top: 24, right: 12, bottom: 36, left: 12 };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-03" → "Mar 26". */
function label(month: string): string {
  const [y, m] = month.split('-');
  return `${MONTHS[Number(m) - 1] ?? m} ${y?.slice(2) ?? ''}`;
}

export function mauChart(rows: readonly MonthCount[]): string {
  const max = Math.max(1, ...rows.map((r) => r.count));
  const slot = (W - PAD.left - PAD.right) / Math.max(1, rows.length);
  const bar = Math.max(4, slot * 0.62);
  const plot = H - PAD.top - PAD.bottom;
  const parts = rows.map((r, i) => {
    const h = Math.round((r.count / max) * plot);
    const x = (PAD.left + i * slot + (slot - bar) / 2).toFixed(1);
    const cx = (PAD.left + i * slot + slot / 2).toFixed(1);
    const y = PAD.top + plot - h;
    const last = i === rows.length - 1;
    return (
      `<g><title>${escapeHtml(`${r.month}: ${r.count} monthly active user(s)`)}</title>` +
      `<rect x="${x}" y="${y}" width="${bar.toFixed(1)}" height="${Math.max(h, 1)}" rx="3" fill="${last ? '#2456d3' : '#9db3ea'}"/>` +
      `<text x="${cx}" y="${y - 6}" text-anchor="middle" font-size="12" fill="#1d2330">${r.count}</text>` +
      `<text x="${cx}" y="${H - PAD.bottom + 18}" text-anchor="middle" font-size="11" fill="#5b6475">${escapeHtml(label(r.month))}</text></g>`
    );
  });
  const axis = `<line x1="${PAD.left}" y1="${PAD.top + plot + 0.5}" x2="${W - PAD.right}" y2="${PAD.top + plot + 0.5}" stroke="#c9d0dc"/>`;
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Monthly active users, last 12 months" xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif">` +
    `${axis}${parts.join('')}</svg>`
  );
}
