// From file bytes to searchable text, and from a byte offset back to the line and column an editor shows.

/** How far git looks for a NUL byte to call a file binary; we do the same. */
const BINARY_PROBE = 8000;

/**
 * The byte string to search (one UTF-16 unit per byte), or undefined for a binary file. UTF-16 files (with a byte
 * order mark) are converted to UTF-8 first, since their NUL bytes would otherwise make them look binary.
 */
export function searchableText(bytes: Buffer): string | undefined {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const little = bytes[0] === 0xff ? bytes.subarray(2) : swapBytes(bytes.subarray(2));
    return Buffer.from(little.toString('utf16le'), 'utf8').toString('latin1');
  }
  if (bytes.subarray(0, BINARY_PROBE).includes(0)) return undefined;
  return bytes.toString('latin1');
}

function swapBytes(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return copy.swap16();
}

/** UTF-16 length of some bytes read as UTF-8, as editors count columns. */
function utf16Length(byteString: string): number {
  // Plain ASCII (every key, and most code) needs no decoding.
  return /^[\t -~]*$/.test(byteString) ? byteString.length : Buffer.from(byteString, 'latin1').toString('utf8').length;
}

export interface Position { line: number; column: number; length: number }

/** Turns byte offsets into 1-based lines and UTF-16 columns, walking the text once for offsets given in order. */
export class LineLocator {
  private line = 1;
  private lineStart = 0;

  constructor(private readonly text: string) {}

  locate(offset: number, byteLength: number): Position {
    if (offset < this.lineStart) {
      this.line = 1;
      this.lineStart = 0;
    }
    for (let next = this.text.indexOf('\n', this.lineStart); next !== -1 && next < offset; next = this.text.indexOf('\n', this.lineStart)) {
      this.line++;
      this.lineStart = next + 1;
    }
    return {
      line: this.line,
      column: utf16Length(this.text.slice(this.lineStart, offset)) + 1,
      length: utf16Length(this.text.slice(offset, offset + byteLength)),
    };
  }
}
