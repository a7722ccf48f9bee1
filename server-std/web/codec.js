// @ts-check
// natter's wire protocol for the browser: frames to bytes and back.
//
// A copy, in JavaScript, of natter-core's codec (core/src/wire/), which is
// the reference; docs/PROTOCOL.md describes both. The copy is kept honest by
// server-std/tests/web_codec.rs, which runs test/codec-check.mjs over every
// example of PROTOCOL.md and a corpus the core's encoder writes: each must
// decode here to what the core decodes, and encode back to the same bytes.
//
// Like the core, the frame table (FRAMES) is the one place where each
// frame's kind byte and fields are written down; the decoder and the encoder
// both read it. A decoded frame is a plain object named like the Rust enum:
// {kind: 'Say', tag: 1, room: 'lobby', flags: 0, text: 'hi all'}. u64 fields
// (ids, times, since, missed) are BigInts, the other integers numbers, an
// error code its number (ERROR_CODES names it), Names' nicks an array of
// strings and its roles an array of numbers.

export const VERSION = 1;
export const HEADER_LEN = 2;
export const MAX_FRAME_LEN = 1024;
export const MAX_TEXT = 512;
export const MAX_SHORT = 255;
export const MAX_NICK = 24;
export const MAX_ROOM = 24;
export const MAX_NAMES_PER_FRAME = 32;

export const FLAG_ACTION = 0x01;
export const FLAG_NOTICE = 0x02;
export const FLAG_REMOVED = 0x04;
export const FLAG_MORE = 0x01;
export const FLAG_QUIT = 0x01;
export const FLAG_ADD = 0x01;
export const FLAG_REMOVE = 0x02;

export const ROLE_TEACHER = 0x01;
export const ROLE_OPERATOR = 0x02;
export const ROLE_VOICE = 0x04;
export const ROLE_MUTED = 0x08;
export const ROLES = ROLE_TEACHER | ROLE_OPERATOR | ROLE_VOICE | ROLE_MUTED;

// ---------------------------------------------------------------- frames

/**
 * @typedef {{kind: 'Hello', version: number, nick: string, password: string}
 *   | {kind: 'Join', room: string, epoch: number, since: bigint, key: string}
 *   | {kind: 'Part', room: string, reason: string}
 *   | {kind: 'Say', tag: number, room: string, flags: number, text: string}
 *   | {kind: 'Whisper', tag: number, to: string, flags: number, text: string}
 *   | {kind: 'SetNick', nick: string}
 *   | {kind: 'SetTopic', room: string, topic: string}
 *   | {kind: 'Quit', reason: string}
 *   | {kind: 'Ping', token: number}
 *   | {kind: 'Pong', token: number}
 *   | {kind: 'Teach', password: string}
 *   | {kind: 'Mode', room: string, flags: number, mode: number, arg: string}
 *   | {kind: 'Kick', room: string, nick: string, reason: string}
 *   | {kind: 'Invite', room: string, nick: string}
 *   | {kind: 'Redact', room: string, id: bigint, reason: string}
 *   | {kind: 'Welcome', version: number, nick: string, lobby: string, max_text: number}
 *   | {kind: 'Entered', room: string, topic: string, epoch: number, next_id: bigint, members: number}
 *   | {kind: 'Names', room: string, flags: number, nicks: string[], roles: number[]}
 *   | {kind: 'Left', room: string, reason: string}
 *   | {kind: 'Message', room: string, id: bigint, time: bigint, from: string, flags: number, text: string}
 *   | {kind: 'Joined', room: string, id: bigint, time: bigint, nick: string}
 *   | {kind: 'Parted', room: string, id: bigint, time: bigint, nick: string, flags: number, reason: string}
 *   | {kind: 'NickChanged', room: string, id: bigint, time: bigint, old: string, new: string}
 *   | {kind: 'TopicChanged', room: string, id: bigint, time: bigint, by: string, topic: string}
 *   | {kind: 'Private', time: bigint, from: string, flags: number, text: string}
 *   | {kind: 'Ack', tag: number, room: string, id: bigint, time: bigint}
 *   | {kind: 'Gap', room: string, missed: bigint}
 *   | {kind: 'NickSet', nick: string}
 *   | {kind: 'Error', code: number, tag: number, subject: string}
 *   | {kind: 'Bye', code: number, reason: string}
 *   | {kind: 'ModeChanged', room: string, id: bigint, time: bigint, by: string, flags: number, mode: number, arg: string}
 *   | {kind: 'Kicked', room: string, id: bigint, time: bigint, by: string, nick: string, reason: string}
 *   | {kind: 'RoomState', room: string, modes: string, limit: number, slow: number, key: string}
 *   | {kind: 'YouAre', roles: number}
 *   | {kind: 'Listed', room: string, mode: number, mask: string}
 *   | {kind: 'Invited', room: string, by: string, nick: string}
 *   | {kind: 'Redacted', room: string, id: bigint, time: bigint, by: string, target: bigint, from: string, reason: string}
 * } Frame
 */

/**
 * How one field sits on the wire (PROTOCOL.md §3): an integer of some
 * width, a string under one of the six rules, a flags byte with its allowed
 * bits, the version byte, an error code, or Names' two lists.
 * @typedef {'u8' | 'u16' | 'u32' | 'u64' | 'nick' | 'room' | 'roomOrEmpty' | 'short' | 'text'
 *   | 'topic' | 'version' | 'code' | 'nicks' | 'roles' | {flags: number}} Shape
 */

/** @typedef {{kind: number, name: string, fromClient: boolean, fields: [string, Shape][]}} FrameSpec */

/** @type {(mask: number) => Shape} */
const flags = (mask) => ({ flags: mask });

/** The frame table: core/src/wire/frames.rs, row for row, fields in wire order. */
/** @type {FrameSpec[]} */
export const FRAMES = [
  { kind: 0x01, name: 'Hello', fromClient: true, fields: [['version', 'version'], ['nick', 'nick'], ['password', 'short']] },
  { kind: 0x02, name: 'Join', fromClient: true, fields: [['room', 'room'], ['epoch', 'u32'], ['since', 'u64'], ['key', 'short']] },
  { kind: 0x03, name: 'Part', fromClient: true, fields: [['room', 'room'], ['reason', 'short']] },
  { kind: 0x04, name: 'Say', fromClient: true, fields: [['tag', 'u32'], ['room', 'room'], ['flags', flags(FLAG_ACTION | FLAG_NOTICE)], ['text', 'text']] },
  { kind: 0x05, name: 'Whisper', fromClient: true, fields: [['tag', 'u32'], ['to', 'nick'], ['flags', flags(FLAG_ACTION | FLAG_NOTICE)], ['text', 'text']] },
  { kind: 0x06, name: 'SetNick', fromClient: true, fields: [['nick', 'nick']] },
  { kind: 0x07, name: 'SetTopic', fromClient: true, fields: [['room', 'room'], ['topic', 'topic']] },
  { kind: 0x08, name: 'Quit', fromClient: true, fields: [['reason', 'short']] },
  { kind: 0x09, name: 'Ping', fromClient: true, fields: [['token', 'u32']] },
  { kind: 0x0a, name: 'Pong', fromClient: true, fields: [['token', 'u32']] },
  { kind: 0x0b, name: 'Teach', fromClient: true, fields: [['password', 'short']] },
  { kind: 0x0c, name: 'Mode', fromClient: true, fields: [['room', 'room'], ['flags', flags(FLAG_ADD | FLAG_REMOVE)], ['mode', 'u8'], ['arg', 'short']] },
  { kind: 0x0d, name: 'Kick', fromClient: true, fields: [['room', 'room'], ['nick', 'nick'], ['reason', 'short']] },
  { kind: 0x0e, name: 'Invite', fromClient: true, fields: [['room', 'room'], ['nick', 'nick']] },
  { kind: 0x0f, name: 'Redact', fromClient: true, fields: [['room', 'room'], ['id', 'u64'], ['reason', 'short']] },
  { kind: 0x41, name: 'Welcome', fromClient: false, fields: [['version', 'version'], ['nick', 'nick'], ['lobby', 'roomOrEmpty'], ['max_text', 'u16']] },
  { kind: 0x42, name: 'Entered', fromClient: false, fields: [['room', 'room'], ['topic', 'topic'], ['epoch', 'u32'], ['next_id', 'u64'], ['members', 'u16']] },
  { kind: 0x43, name: 'Names', fromClient: false, fields: [['room', 'room'], ['flags', flags(FLAG_MORE)], ['nicks', 'nicks'], ['roles', 'roles']] },
  { kind: 0x44, name: 'Left', fromClient: false, fields: [['room', 'room'], ['reason', 'short']] },
  { kind: 0x45, name: 'Message', fromClient: false, fields: [['room', 'room'], ['id', 'u64'], ['time', 'u64'], ['from', 'nick'], ['flags', flags(FLAG_ACTION | FLAG_NOTICE | FLAG_REMOVED)], ['text', 'text']] },
  { kind: 0x46, name: 'Joined', fromClient: false, fields: [['room', 'room'], ['id', 'u64'], ['time', 'u64'], ['nick', 'nick']] },
  { kind: 0x47, name: 'Parted', fromClient: false, fields: [['room', 'room'], ['id', 'u64'], ['time', 'u64'], ['nick', 'nick'], ['flags', flags(FLAG_QUIT)], ['reason', 'short']] },
  { kind: 0x48, name: 'NickChanged', fromClient: false, fields: [['room', 'room'], ['id', 'u64'], ['time', 'u64'], ['old', 'nick'], ['new', 'nick']] },
  { kind: 0x49, name: 'TopicChanged', fromClient: false, fields: [['room', 'room'], ['id', 'u64'], ['time', 'u64'], ['by', 'nick'], ['topic', 'topic']] },
  { kind: 0x4a, name: 'Private', fromClient: false, fields: [['time', 'u64'], ['from', 'nick'], ['flags', flags(FLAG_ACTION | FLAG_NOTICE)], ['text', 'text']] },
  { kind: 0x4b, name: 'Ack', fromClient: false, fields: [['tag', 'u32'], ['room', 'roomOrEmpty'], ['id', 'u64'], ['time', 'u64']] },
  { kind: 0x4c, name: 'Gap', fromClient: false, fields: [['room', 'room'], ['missed', 'u64']] },
  { kind: 0x4d, name: 'NickSet', fromClient: false, fields: [['nick', 'nick']] },
  { kind: 0x4e, name: 'Error', fromClient: false, fields: [['code', 'code'], ['tag', 'u32'], ['subject', 'short']] },
  { kind: 0x4f, name: 'Bye', fromClient: false, fields: [['code', 'code'], ['reason', 'short']] },
  { kind: 0x50, name: 'ModeChanged', fromClient: false, fields: [['room', 'room'], ['id', 'u64'], ['time', 'u64'], ['by', 'nick'], ['flags', flags(FLAG_ADD | FLAG_REMOVE)], ['mode', 'u8'], ['arg', 'short']] },
  { kind: 0x51, name: 'Kicked', fromClient: false, fields: [['room', 'room'], ['id', 'u64'], ['time', 'u64'], ['by', 'nick'], ['nick', 'nick'], ['reason', 'short']] },
  { kind: 0x52, name: 'RoomState', fromClient: false, fields: [['room', 'room'], ['modes', 'short'], ['limit', 'u16'], ['slow', 'u16'], ['key', 'short']] },
  { kind: 0x53, name: 'YouAre', fromClient: false, fields: [['roles', flags(ROLE_TEACHER)]] },
  { kind: 0x54, name: 'Listed', fromClient: false, fields: [['room', 'room'], ['mode', 'u8'], ['mask', 'short']] },
  { kind: 0x55, name: 'Invited', fromClient: false, fields: [['room', 'room'], ['by', 'nick'], ['nick', 'nick']] },
  { kind: 0x56, name: 'Redacted', fromClient: false, fields: [['room', 'room'], ['id', 'u64'], ['time', 'u64'], ['by', 'nick'], ['target', 'u64'], ['from', 'nick'], ['reason', 'short']] },
];

/** @type {Map<number, FrameSpec>} */
const BY_KIND = new Map(FRAMES.map((spec) => [spec.kind, spec]));
/** @type {Map<string, FrameSpec>} */
const BY_NAME = new Map(FRAMES.map((spec) => [spec.name, spec]));

// ---------------------------------------------------------------- errors

/**
 * Why bytes are not a frame, or a frame cannot be encoded: `reason` is the
 * name of the core's `DecodeError` variant ('Truncated', 'BadNick'...),
 * `detail` its number when it has one (the unknown kind, the version, the
 * length). Only 'FrameTooLong' is `fatal`: the stream lost its framing.
 */
export class CodecError extends Error {
  /** @param {string} reason @param {number} [detail] */
  constructor(reason, detail) {
    super(detail === undefined ? reason : `${reason}(${detail})`);
    this.name = 'CodecError';
    this.reason = reason;
    this.detail = detail;
    this.fatal = reason === 'FrameTooLong';
  }
}

/**
 * The error codes of `Error` and `Bye` (PROTOCOL.md §9): the core's
 * `ErrorCode` name and its `describe()` text, for people.
 * @type {Record<number, [string, string]>}
 */
export const ERROR_CODES = {
  1: ['Malformed', 'the program sent something the server could not understand; update or restart it'],
  2: ['UnsupportedVersion', 'this version of natter is too old or too new for the server; use the same version as the teacher'],
  3: ['HelloFirst', 'say hello (pick a nickname) before anything else'],
  4: ['AlreadyWelcomed', 'you are already connected'],
  5: ['BadNick', "nicknames are up to 24 bytes (an accented letter takes 2) of letters, digits, '-' and _ [ ] \\ ` ^ { } |, with no spaces, not starting with a digit or '-'; pick another"],
  6: ['NickTaken', 'that nickname is taken; pick another'],
  7: ['BadPassword', 'wrong password for this server; ask the teacher for it'],
  8: ['BadRoom', "room names are 1 to 24 bytes (an accented letter takes 2) of letters, digits, '-' and '_', with no spaces and no '#'"],
  9: ['RoomFull', 'the room is full; try again later or pick another room'],
  10: ['NoFreeRoom', 'the server has no space for another room; join an existing one'],
  11: ['RoomsFixed', "this server only has the teacher's rooms; join one of those"],
  12: ['TooManyRooms', 'you are in as many rooms as allowed; leave one first'],
  13: ['NotInRoom', 'you are not in that room; join it first'],
  14: ['AlreadyInRoom', 'you are already in that room'],
  15: ['NoSuchNick', 'no one with that nickname is online'],
  16: ['RecipientBusy', 'they are not keeping up right now; try again in a moment'],
  17: ['Flooding', 'you are sending too fast; wait a moment, then send again'],
  18: ['BadText', 'the message is empty, too long, or has line breaks; shorten it or send it as separate lines'],
  19: ['ServerFull', 'the server is full; try again later'],
  20: ['IdleTimeout', 'disconnected after a long silence; connect again'],
  21: ['TooSlow', 'your connection could not keep up and was closed; connect again'],
  22: ['ShuttingDown', 'the server is shutting down'],
  23: ['Quit', 'goodbye'],
  24: ['UnexpectedFrame', 'the program sent a frame the server does not accept; update it'],
  25: ['HelloTimeout', 'no hello arrived in time; connect again'],
  26: ['NotOperator', "only the teacher (or the room's operators) can do that"],
  27: ['Moderated', 'only the teacher and those given the word speak in this room; raise your hand'],
  28: ['Muted', 'the teacher muted you in this room; your message was not sent'],
  29: ['SlowMode', 'slow mode is on in this room; wait a few seconds, then send again'],
  30: ['Banned', 'you are banned from this room; ask the teacher'],
  31: ['InviteOnly', 'this room is closed to newcomers; ask the teacher to invite you'],
  32: ['BadKey', 'this room needs a key; ask the teacher for it'],
  33: ['NoTeacher', 'this server has no teacher password; whoever started it is in charge'],
  34: ['TooManyGuesses', 'too many wrong passwords; wait a minute, then try again'],
  35: ['TheyAreNotInRoom', 'they are not in that room'],
  36: ['NickLocked', 'nicknames are locked in a room you are in; ask the teacher to rename you'],
  37: ['PrivateOff', 'private messages between students are off; you can still message the teacher'],
  38: ['TeacherProtected', 'the teacher cannot be kicked, banned, muted or made less than operator'],
  39: ['UnknownMode', 'that is not a room setting natter knows; see /help'],
  40: ['BadModeArg', 'that setting needs a nickname, a number or a key; see /help'],
  41: ['ListFull', "the room's ban list is full; lift a ban first"],
  42: ['TheyAreInRoom', 'they are already in that room'],
  43: ['NoSuchRoom', 'there is no room of that name'],
  44: ['NoSuchMessage', "that message is no longer in the room's history"],
};

/** The code's name (`Other(200)` for one this version does not know). @param {number} code */
export function errorName(code) {
  return ERROR_CODES[code]?.[0] ?? `Other(${code})`;
}

/** What a person should read about `code`: what happened and what to do. @param {number} code */
export function describeError(code) {
  return ERROR_CODES[code]?.[1] ?? 'the server reported an error this version does not know; try updating natter';
}

/** The code named `name` ('NickTaken' → 6). @param {string} name */
export function errorCode(name) {
  for (const [code, [known]] of Object.entries(ERROR_CODES)) if (known === name) return Number(code);
  throw new Error(`no error code ${name}`);
}

// ---------------------------------------------------------------- names

/** Letters beyond ASCII (core/src/wire/names.rs `LETTERS`), inclusive ranges. */
const LETTERS = [
  [0x00c0, 0x00d6], [0x00d8, 0x00f6], [0x00f8, 0x024f], [0x0386, 0x0386], [0x0388, 0x03ff],
  [0x0400, 0x0481], [0x048a, 0x052f], [0x0531, 0x0556], [0x0561, 0x0587], [0x05d0, 0x05ea],
  [0x0620, 0x064a], [0x0e01, 0x0e30], [0x1e00, 0x1eff], [0x3041, 0x3096], [0x30a1, 0x30fa],
  [0x30fc, 0x30fc], [0x4e00, 0x9fff], [0xac00, 0xd7a3],
];
const IRC_SPECIAL = '_[]\\`^{}|';

/** @param {string} c one character */
function isLetter(c) {
  const cp = /** @type {number} */ (c.codePointAt(0));
  if (cp < 0x80) return /[A-Za-z]/.test(c);
  return LETTERS.some(([lo, hi]) => lo <= cp && cp <= hi);
}

/** @param {string} c */
const isDigit = (c) => c >= '0' && c <= '9';

/** Bytes of `s` in UTF-8. @param {string} s */
export const utf8Length = (s) => ENCODER.encode(s).length;

/** Is `nick` a valid nickname (PROTOCOL.md §4)? @param {string} nick */
export function isValidNick(nick) {
  const chars = [...nick];
  if (chars.length === 0 || utf8Length(nick) > MAX_NICK) return false;
  const [first, ...rest] = chars;
  return (isLetter(first) || IRC_SPECIAL.includes(first))
    && rest.every((c) => isLetter(c) || isDigit(c) || c === '-' || IRC_SPECIAL.includes(c));
}

/** Is `room` a valid room name (PROTOCOL.md §4)? @param {string} room */
export function isValidRoom(room) {
  return room.length > 0 && utf8Length(room) <= MAX_ROOM
    && [...room].every((c) => isLetter(c) || isDigit(c) || c === '-' || c === '_');
}

/** `name` after IRC's strict-rfc1459 case folding. @param {string} name */
export function foldName(name) {
  return name.replace(/[A-Z[\]\\]/g, (c) => ({ '[': '{', ']': '}', '\\': '|' })[c] ?? c.toLowerCase());
}

/** Are `a` and `b` one name once case is folded? @param {string} a @param {string} b */
export const sameName = (a, b) => foldName(a) === foldName(b);

// ---------------------------------------------------------------- decoding

// `fatal`: invalid UTF-8 is an error, as in the core; `ignoreBOM`: a leading
// U+FEFF is text like any other, not a marker to drop.
const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();

/** NUL, CR and LF are banned from every string (they would break IRC lines). @param {string} s */
const plain = (s) => !/[\0\r\n]/.test(s);

/**
 * Check a string against its field's rule, as the core's `Field::check`.
 * @param {Shape} shape @param {string} s @param {number} bytes its UTF-8 length
 */
function checkString(shape, s, bytes) {
  switch (shape) {
    case 'nick': if (!isValidNick(s)) throw new CodecError('BadNick'); break;
    case 'room': if (!isValidRoom(s)) throw new CodecError('BadRoom'); break;
    case 'roomOrEmpty': if (s !== '' && !isValidRoom(s)) throw new CodecError('BadRoom'); break;
    case 'short': if (bytes > MAX_SHORT || !plain(s)) throw new CodecError('BadText'); break;
    case 'text': if (bytes === 0 || bytes > MAX_TEXT || !plain(s)) throw new CodecError('BadText'); break;
    case 'topic': if (bytes > MAX_TEXT || !plain(s)) throw new CodecError('BadText'); break;
  }
}

/** Reads the fields of one frame's body. */
class Reader {
  /** @param {Uint8Array} bytes */
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
  }

  /** @param {number} n */
  take(n) {
    if (this.pos + n > this.bytes.length) throw new CodecError('Truncated');
    const start = this.pos;
    this.pos += n;
    return start;
  }

  u8() { return this.view.getUint8(this.take(1)); }
  u16() { return this.view.getUint16(this.take(2)); }
  u32() { return this.view.getUint32(this.take(4)); }
  u64() { return this.view.getBigUint64(this.take(8)); }

  /** A string: its length prefix (u16 for text and topics), UTF-8, its rule. @param {Shape} shape */
  string(shape) {
    const len = shape === 'text' || shape === 'topic' ? this.u16() : this.u8();
    const start = this.take(len);
    let s;
    try {
      s = DECODER.decode(this.bytes.subarray(start, start + len));
    } catch {
      throw new CodecError('BadUtf8');
    }
    checkString(shape, s, len);
    return s;
  }

  /** @param {Shape} shape @returns {unknown} */
  field(shape) {
    if (typeof shape === 'object') {
      const value = this.u8();
      if (value & ~shape.flags) throw new CodecError('BadFlags');
      return value;
    }
    switch (shape) {
      case 'u8': case 'code': return this.u8();
      case 'u16': return this.u16();
      case 'u32': return this.u32();
      case 'u64': return this.u64();
      case 'version': {
        const version = this.u8();
        if (version !== VERSION) throw new CodecError('UnsupportedVersion', version);
        return version;
      }
      case 'nicks': {
        const count = this.u8();
        const nicks = [];
        for (let i = 0; i < count; i++) nicks.push(this.string('nick'));
        return nicks;
      }
      case 'roles': {
        const count = this.u8();
        const start = this.take(count);
        const roles = [...this.bytes.subarray(start, start + count)];
        if (roles.some((r) => r & ~ROLES)) throw new CodecError('BadFlags');
        return roles;
      }
      default: return this.string(shape);
    }
  }
}

/**
 * The total length (prefix included) of the frame at the start of `buf`,
 * or null until its prefix has arrived.
 * @param {Uint8Array} buf
 * @throws {CodecError} 'FrameTooLong' as soon as the prefix shows it
 */
export function frameLength(buf) {
  if (buf.length < HEADER_LEN) return null;
  const len = HEADER_LEN + ((buf[0] << 8) | buf[1]);
  if (len > MAX_FRAME_LEN) throw new CodecError('FrameTooLong', len);
  return len;
}

/**
 * Decode the frame at the start of `buf`, as the core's `decode`: the frame
 * and the bytes it used, or `{needed}` when only part of it has arrived.
 * Bytes after the first frame are left alone.
 * @param {Uint8Array} buf
 * @returns {{frame: Frame, used: number} | {needed: number}}
 * @throws {CodecError} what is wrong; unless it is `fatal`, the frame's
 *   length is known and the caller may skip it and go on
 */
export function decode(buf) {
  const len = frameLength(buf);
  if (len === null) return { needed: HEADER_LEN - buf.length };
  if (buf.length < len) return { needed: len - buf.length };
  return { frame: decodeBody(buf.subarray(HEADER_LEN, len)), used: len };
}

/** @param {Uint8Array} body the kind byte and fields @returns {Frame} */
function decodeBody(body) {
  if (body.length === 0) throw new CodecError('EmptyFrame');
  const spec = BY_KIND.get(body[0]);
  if (!spec) throw new CodecError('UnknownKind', body[0]);
  const r = new Reader(body.subarray(1));
  /** @type {Record<string, unknown>} */
  const frame = { kind: spec.name };
  for (const [name, shape] of spec.fields) frame[name] = r.field(shape);
  if (r.pos !== r.bytes.length) throw new CodecError('TrailingBytes');
  return /** @type {Frame} */ (/** @type {unknown} */ (frame));
}

// ---------------------------------------------------------------- encoding

/** Collects a frame's bytes, checking each field as the decoder would. */
class Writer {
  constructor() {
    /** @type {number[]} */
    this.out = [];
  }

  /** @param {unknown} v @param {number} bits */
  int(v, bits) {
    if (bits === 64) {
      if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) throw new CodecError('BadValue');
      for (let shift = 56n; shift >= 0n; shift -= 8n) this.out.push(Number((v >> shift) & 0xffn));
      return;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new CodecError('BadValue');
    for (let shift = bits - 8; shift >= 0; shift -= 8) this.out.push(Math.floor(v / 2 ** shift) & 0xff);
  }

  /** @param {Shape} shape @param {unknown} s */
  string(shape, s) {
    if (typeof s !== 'string') throw new CodecError('BadValue');
    // A lone surrogate has no UTF-8: TextEncoder would quietly send U+FFFD.
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)) throw new CodecError('BadUtf8');
    const bytes = ENCODER.encode(s);
    checkString(shape, s, bytes.length);
    this.int(bytes.length, shape === 'text' || shape === 'topic' ? 16 : 8);
    for (const b of bytes) this.out.push(b);
  }

  /** @param {Shape} shape @param {unknown} value */
  field(shape, value) {
    if (typeof shape === 'object') {
      this.int(value, 8);
      if (/** @type {number} */ (value) & ~shape.flags) throw new CodecError('BadFlags');
      return;
    }
    switch (shape) {
      case 'u8': case 'code': return this.int(value, 8);
      case 'u16': return this.int(value, 16);
      case 'u32': return this.int(value, 32);
      case 'u64': return this.int(value, 64);
      case 'version':
        if (value !== VERSION) throw new CodecError('UnsupportedVersion', Number(value));
        return this.int(value, 8);
      case 'nicks': {
        if (!Array.isArray(value) || value.length > 255) throw new CodecError('BadValue');
        this.int(value.length, 8);
        for (const nick of value) this.string('nick', nick);
        return;
      }
      case 'roles': {
        if (!Array.isArray(value) || value.length > 255) throw new CodecError('BadValue');
        if (value.some((r) => r & ~ROLES)) throw new CodecError('BadFlags');
        this.int(value.length, 8);
        for (const role of value) this.int(role, 8);
        return;
      }
      default: return this.string(shape, value);
    }
  }
}

/**
 * The bytes of `frame`, length prefix included.
 * @param {Frame} frame
 * @returns {Uint8Array}
 * @throws {CodecError} when a field breaks a rule the receiver enforces
 */
export function encode(frame) {
  const spec = BY_NAME.get(frame.kind);
  if (!spec) throw new CodecError('UnknownKind');
  const w = new Writer();
  w.out.push(0, 0, spec.kind);
  const fields = /** @type {Record<string, unknown>} */ (frame);
  for (const [name, shape] of spec.fields) w.field(shape, fields[name]);
  if (w.out.length > MAX_FRAME_LEN) throw new CodecError('FrameTooLong', w.out.length);
  const bodyLen = w.out.length - HEADER_LEN;
  w.out[0] = bodyLen >> 8;
  w.out[1] = bodyLen & 0xff;
  return Uint8Array.from(w.out);
}

// ---------------------------------------------------------------- streams

/**
 * Cuts a byte stream into frames. A WebSocket message holds whole frames,
 * but nothing is lost by not relying on it: chunks are buffered and only
 * whole frames taken.
 *
 * `push` returns what the chunk completed: frames, and `{error}` for a bad
 * frame, which is skipped (its length is known) rather than thrown into the
 * caller. A fatal error (a length over the limit) leaves the stream
 * unreadable: every later push reports it again, and the caller should close.
 */
export class FrameReader {
  constructor() {
    this.buf = new Uint8Array(0);
    /** @type {CodecError | null} */
    this.broken = null;
  }

  /**
   * @param {ArrayBuffer | Uint8Array} chunk
   * @returns {({frame: Frame} | {error: CodecError})[]}
   */
  push(chunk) {
    if (this.broken) return [{ error: this.broken }];
    const bytes = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
    /** @type {({frame: Frame} | {error: CodecError})[]} */
    const out = [];
    let pos = 0;
    for (;;) {
      const rest = joined.subarray(pos);
      let len;
      try {
        len = frameLength(rest);
      } catch (e) {
        this.broken = /** @type {CodecError} */ (e);
        out.push({ error: this.broken });
        break;
      }
      if (len === null || rest.length < len) break;
      try {
        out.push({ frame: decodeBody(rest.subarray(HEADER_LEN, len)) });
      } catch (e) {
        out.push({ error: e instanceof CodecError ? e : new CodecError(String(e)) });
      }
      pos += len;
    }
    this.buf = joined.slice(pos);
    return out;
  }
}
