// @ts-check
// Checks codec.js against vectors natter-core wrote (server-std/tests/web_codec.rs):
//
//   node server-std/web/test/codec-check.mjs vectors.jsonl
//
// Each line is {"name", "hex", "debug"} for a frame the core decoded
// (`debug` is the core's `{frame:?}`) or {"name", "hex", "error"} for bytes
// the core refuses (`error` is its `DecodeError` in Debug form). A valid
// vector must decode to a frame that prints as the core's did and encode
// back to the same bytes; an invalid one must be refused for the same
// reason. Then every vector goes through a FrameReader in small chunks, to
// check the stream cuts frames where the core does. Prints
// "N vectors passed" and exits 0, or lists the failures and exits 1.

import { readFileSync } from 'node:fs';
import { CodecError, FrameReader, decode, encode, errorName } from '../codec.js';

/** @typedef {{name: string, hex: string, debug?: string, error?: string}} Vector */

/** @param {string} hex */
const fromHex = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
/** @param {Uint8Array} bytes */
const toHex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

// Characters Rust's `str` Debug writes as \u{..}: those `char::is_printable`
// refuses (controls, format characters, unassigned, private use, separators
// other than the space) and grapheme extenders such as combining accents.
const RUST_ESCAPED = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}\p{Grapheme_Extend}]/u;

/** A string as Rust's Debug prints it. @param {string} s */
function rustString(s) {
  let out = '"';
  for (const c of s) {
    const named = { '\t': '\\t', '\r': '\\r', '\n': '\\n', '\\': '\\\\', '"': '\\"', '\0': '\\0' }[c];
    if (named) out += named;
    else if (c !== ' ' && RUST_ESCAPED.test(c)) out += `\\u{${/** @type {number} */ (c.codePointAt(0)).toString(16)}}`;
    else out += c;
  }
  return out + '"';
}

/** A field's value as Rust's Debug prints it. @param {string} name @param {unknown} value @returns {string} */
function rustValue(name, value) {
  if (typeof value === 'string') return rustString(value);
  if (Array.isArray(value)) return `[${value.map((v) => rustValue(name, v)).join(', ')}]`;
  if (name === 'code') return errorName(/** @type {number} */ (value));
  return String(value);
}

/** A decoded frame as the core's `{frame:?}` prints it (Names' nicks as a list). @param {import('../codec.js').Frame} frame */
export function rustDebug(frame) {
  const fields = Object.entries(frame)
    .filter(([name]) => name !== 'kind')
    .map(([name, value]) => `${name}: ${rustValue(name, value)}`);
  return `${frame.kind} { ${fields.join(', ')} }`;
}

/** A CodecError as the core's `DecodeError` Debug prints it. @param {unknown} e */
function rustError(e) {
  if (!(e instanceof CodecError)) return `not a CodecError: ${e}`;
  if (e.reason === 'FrameTooLong') return `FrameTooLong { len: ${e.detail} }`;
  return e.detail === undefined ? e.reason : `${e.reason}(${e.detail})`;
}

/** What is wrong with one vector, or null when it passes. @param {Vector} v */
function check(v) {
  const bytes = fromHex(v.hex);
  let result;
  try {
    result = decode(bytes);
  } catch (e) {
    if (v.error !== undefined) return rustError(e) === v.error ? null : `refused as ${rustError(e)}, the core says ${v.error}`;
    return `refused as ${rustError(e)}, the core decodes ${v.debug}`;
  }
  if (!('frame' in result)) return `incomplete (needs ${result.needed} more bytes)`;
  if (v.error !== undefined) return `decoded ${rustDebug(result.frame)}, the core refuses it: ${v.error}`;
  if (result.used !== bytes.length) return `used ${result.used} of ${bytes.length} bytes`;
  const debug = rustDebug(result.frame);
  if (debug !== v.debug) return `decoded\n    ${debug}\n  the core:\n    ${v.debug}`;
  let again;
  try {
    again = toHex(encode(result.frame));
  } catch (e) {
    return `does not encode: ${rustError(e)}`;
  }
  return again === v.hex ? null : `re-encodes as ${again}`;
}

/**
 * Every vector in one stream, cut into 7-byte chunks: the reader must give
 * each valid frame and each (skippable) error in order, and stop at a fatal
 * one. Returns what went wrong, or null.
 * @param {Vector[]} vectors
 */
function checkStream(vectors) {
  const reader = new FrameReader();
  const stream = [];
  /** @type {string[]} */
  const expected = [];
  for (const v of vectors) {
    stream.push(...fromHex(v.hex));
    expected.push(v.debug ?? `error ${v.error}`);
    if (v.error?.startsWith('FrameTooLong')) break;
  }
  /** @type {string[]} */
  const got = [];
  for (let i = 0; i < stream.length; i += 7) {
    for (const item of reader.push(Uint8Array.from(stream.slice(i, i + 7)))) {
      got.push('frame' in item ? rustDebug(item.frame) : `error ${rustError(item.error)}`);
      if ('error' in item && item.error.fatal) break;
    }
    if (reader.broken) break;
  }
  for (let i = 0; i < Math.max(got.length, expected.length); i++) {
    if (got[i] !== expected[i]) return `stream item ${i}: got ${got[i]}, expected ${expected[i]}`;
  }
  return null;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node codec-check.mjs vectors.jsonl');
  process.exit(2);
}
/** @type {Vector[]} */
const vectors = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
let failed = 0;
for (const v of vectors) {
  const problem = check(v);
  if (problem) {
    failed++;
    console.log(`FAIL ${v.name} (${v.hex}): ${problem}`);
  }
}
// Fatal vectors go last in the stream: nothing after one can be read.
const ordered = [...vectors.filter((v) => !v.error?.startsWith('FrameTooLong')), ...vectors.filter((v) => v.error?.startsWith('FrameTooLong'))];
const streamProblem = checkStream(ordered);
if (streamProblem) {
  failed++;
  console.log(`FAIL stream: ${streamProblem}`);
}
if (failed) {
  console.log(`${failed} of ${vectors.length} vectors failed`);
  process.exit(1);
}
console.log(`${vectors.length} vectors passed`);
