/**
 * Splits an mbox (mboxo/mboxrd, as list archives are served) into messages:
 * a message starts at a "From " line at the start of the file or after a blank
 * line; ">From " quoting in bodies is undone.
 */
export function splitMbox(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  let cur: string[] | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('From ') && (i === 0 || lines[i - 1] === '')) {
      if (cur) out.push(finish(cur));
      cur = [];
      continue;
    }
    cur?.push(line.replace(/^>(>*From )/, '$1'));
  }
  if (cur) out.push(finish(cur));
  return out.filter((m) => m.trim() !== '');
}

function finish(lines: string[]): string {
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

export function looksLikeMbox(text: string): boolean {
  return /^From \S+ /.test(text) && /\n\n?From \S+ |\n[A-Za-z-]+: /.test(text.slice(0, 4096));
}
