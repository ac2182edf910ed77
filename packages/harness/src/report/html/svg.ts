/** Small helpers for the self-contained HTML reports: escaping, SVG elements, numbers. */

export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An SVG element with attributes (numbers rounded to 0.1) and optional children. */
export function el(name: string, attrs: Record<string, string | number | undefined>, children = ''): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? Math.round(v * 10) / 10 : esc(v)}"`)
    .join('');
  return children === '' ? `<${name}${a}/>` : `<${name}${a}>${children}</${name}>`;
}

export function svg(width: number, height: number, body: string, label: string, className: string): string {
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: className,
      width,
      height,
      viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
      role: 'img',
      'aria-label': label,
    },
    body,
  );
}

/** A table row; a cell is HTML (escaped by the caller) or [html, class]. */
export function tr(cells: ReadonlyArray<string | number | [string, string]>, tag: 'td' | 'th' = 'td'): string {
  const cell = (c: string | number | [string, string]) => (Array.isArray(c) ? `<${tag} class="${c[1]}">${c[0]}</${tag}>` : `<${tag}>${c}</${tag}>`);
  return `<tr>${cells.map(cell).join('')}</tr>`;
}

export function title(text: string): string {
  return `<title>${esc(text)}</title>`;
}

export function percent(rate: number): string {
  const p = rate * 100;
  return `${p >= 10 || p === 0 ? p.toFixed(1) : p >= 1 ? p.toFixed(2) : p.toPrecision(2)}%`;
}

export function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(2)} s` : n >= 10 ? `${n.toFixed(1)} ms` : `${n.toFixed(3)} ms`;
}

/** A stable colour for a name (event kinds in timelines). */
export function hue(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) % 360;
  return `hsl(${h} 60% 42%)`;
}

export const COLOURS = { pass: '#2e7d32', fail: '#c62828', skip: '#9e9e9e', none: '#eceff1', infra: '#ffb74d', ink: '#263238', grid: '#b0bec5' };

export const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:${COLOURS.ink};margin:24px;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #cfd8dc;padding-bottom:4px}
.muted{color:#607d8b}.verdict{font-size:15px;margin:8px 0 0}code,pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
table{border-collapse:collapse;margin:8px 0}th,td{text-align:left;padding:3px 10px 3px 0;vertical-align:top}th{font-weight:600;border-bottom:1px solid #cfd8dc}
.pass{color:${COLOURS.pass}}.fail{color:${COLOURS.fail}}.skip{color:${COLOURS.skip}}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
svg text{font:11px system-ui,sans-serif;fill:${COLOURS.ink}}svg{display:block;max-width:100%;height:auto}
pre.replay{background:#eceff1;padding:6px 8px;white-space:pre-wrap;word-break:break-all}
details{margin:6px 0}summary{cursor:pointer}
`;

export function page(heading: string, subtitle: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(heading)}</title><style>${STYLE}</style></head>
<body><h1>${esc(heading)}</h1><div class="muted">${subtitle}</div>
${body}
</body></html>
`;
}
