/**
 * Post-login redirect targets (G6): only same-origin relative paths. Anything that a
 * browser could resolve to another origin is refused: `//evil`, `/\evil`, `https:evil`,
 * backslashes, control characters, and their percent-encoded forms.
 */
export function safeReturnTo(raw: string | undefined | null, fallback: string): string {
  if (raw === undefined || raw === null || raw === '') return fallback;
  let decoded = raw;
  try {
    // Decode repeatedly so double-encoded tricks are judged on what a browser would see.
    for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i++) decoded = decodeURIComponent(decoded);
  } catch {
    return fallback;
  }
  for (const v of [raw, decoded]) {
    if (!v.startsWith('/') || v.startsWith('//') || v.includes('\\')) return fallback;
    if (/[\u0000-\u001f\u007f\s]/.test(v)) return fallback;
    if (v.length > 2048) return fallback;
  }
  // Final check: it must resolve to our own origin.
  const probe = new URL(raw, 'https://origin.invalid');
  return probe.origin === 'https://origin.invalid' ? raw : fallback;
}
