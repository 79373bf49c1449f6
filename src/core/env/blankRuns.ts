// Trimming blanks without a regular expression that backtracks: `[\s]+$` and `[\s]+#.*` are tried from every blank of
// a run, so a line of a million blanks took hours in the reader ports. These walk the text once.

/** `text` without the blanks at its end; `isBlank` tells which characters count (each reader has its own set). */
export function trimEndWhere(text: string, isBlank: (char: string) => boolean): string {
  let end = text.length;
  while (end > 0 && isBlank(text[end - 1])) end--;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * `text` cut where `[blank]+#` first matches (python-dotenv's inline comment): before the run of blanks that ends at
 * the first "#" with a blank just before it. Unchanged when there is none.
 */
export function cutBlankHashComment(text: string, isBlank: (char: string) => boolean): string {
  for (let hash = text.indexOf('#', 1); hash !== -1; hash = text.indexOf('#', hash + 1)) {
    if (!isBlank(text[hash - 1])) continue;
    let start = hash - 1;
    while (start > 0 && isBlank(text[start - 1])) start--;
    return text.slice(0, start);
  }
  return text;
}

/** A test of one character against a character class written for a RegExp, e.g. `\t `. */
export function blankTest(characterClass: string): (char: string) => boolean {
  const one = new RegExp(`^[${characterClass}]$`, 'u');
  return (char) => one.test(char);
}
