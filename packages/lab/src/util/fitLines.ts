/**
 * Splits text into lines of at most `width` columns, breaking at spaces (continuations indented
 * by two); a word longer than the width is cut. Plain terminal and log output goes through this.
 */
export function fitLines(text: string, width = 100): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let rest = line;
    let indent = '';
    while (indent.length + rest.length > width) {
      const room = width - indent.length;
      let cut = rest.lastIndexOf(' ', room);
      if (cut <= 0) cut = room;
      out.push(indent + rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
      indent = '  ';
    }
    out.push(indent + rest);
  }
  return out;
}
