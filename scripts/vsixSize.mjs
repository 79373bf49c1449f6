// What the VSIX weighs: its files (read from the zip's central directory) and the 400 KB it may not exceed.
// `node scripts/vsixSize.mjs FILE` exits 1 with one sentence when FILE is over the limit (npm run package runs it).
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** 400 KB: the Marketplace page promises a small download, and activation loads part of it. */
export const VSIX_LIMIT_BYTES = 400 * 1024;

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;

/** Every file in the VSIX with its size inside the zip and unpacked; a VSIX is never large enough to need zip64. */
export function vsixEntries(file) {
  const zip = readFileSync(file);
  let end = -1;
  // The end record is 22 bytes plus a comment of at most 64 KB, so it starts in the file's last 65,557 bytes.
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) { end = at; break; }
  }
  if (end < 0) throw new Error(`${file} is not a zip file.`);
  const count = zip.readUInt16LE(end + 10);
  const entries = [];
  for (let at = zip.readUInt32LE(end + 16), index = 0; index < count; index++) {
    if (zip.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new Error(`${file} has a damaged zip directory.`);
    const nameLength = zip.readUInt16LE(at + 28);
    entries.push({ name: zip.toString('utf8', at + 46, at + 46 + nameLength), packed: zip.readUInt32LE(at + 20), size: zip.readUInt32LE(at + 24) });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

/** Throws one sentence when the VSIX is over the limit; returns its size in bytes otherwise. */
export function checkVsixSize(file) {
  const bytes = statSync(file).size;
  if (bytes > VSIX_LIMIT_BYTES) {
    throw new Error(`${path.basename(file)} is ${bytes.toLocaleString('en-US')} bytes, over the ${VSIX_LIMIT_BYTES.toLocaleString('en-US')}-byte (400 KB) limit: list what ships with \`npx vsce ls\` and shrink the bundles or .vscodeignore.`);
  }
  return bytes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    checkVsixSize(process.argv[2] ?? 'crucible-keys.vsix');
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
