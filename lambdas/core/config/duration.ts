/**
 * Durations in the config: a number of seconds, or a string such as `90s`, `15m`, `12h`,
 * `7d`, `1h30m`. `0` means "none" for the session limits (as ngrok does).
 */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const PART = /(\d+)([smhd])/g;
const WHOLE = /^(?:\d+[smhd])+$/;

/** Parses a duration; returns undefined when the text is not one. */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 ? value : undefined;
  }
  const text = value.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text);
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_SECONDS[unit!]!;
  return total;
}

/** Formats seconds the way the config accepts them (`0`, `45s`, `2h30m`). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0';
  let rest = seconds;
  let out = '';
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
