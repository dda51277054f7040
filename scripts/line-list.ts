/** A list kept as a text file: one item a line, blank lines and `#` comments skipped. */
export function parseLineList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}
