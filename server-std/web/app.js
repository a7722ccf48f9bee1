// @ts-check
// natter's page: the window client's behaviour (client-fltk) in a browser.
//
// Three parts, top to bottom:
// * the session: one WebSocket carrying natter frames (codec.js), resumed
//   after every loss like the window's session (client-fltk/src/session):
//   back-off 1, 2, 4 … 30 s, a Join per room with its epoch and the last id
//   seen, replayed own lines recognised by id, unconfirmed lines settled by
//   the replay or refused after a grace;
// * views: one conversation per room or private partner, with its lines,
//   members, unread counts and transcript;
// * the page: the connect form, the chat, commands (the window's /help),
//   the member menu, the emoji grid, the settings dialog.

import {
  FLAG_ACTION, FLAG_ADD, FLAG_MORE, FLAG_QUIT, FLAG_REMOVE, FLAG_REMOVED, ROLE_MUTED,
  ROLE_OPERATOR, ROLE_TEACHER, ROLE_VOICE, FrameReader, describeError, encode,
  errorCode, foldName, isValidNick, isValidRoom, sameName, utf8Length,
} from './codec.js';

/** @typedef {import('./codec.js').Frame} Frame */

// ================================================================ constants

/** Waits between reconnection attempts, in seconds (the window's BACKOFF). */
const BACKOFF = [1, 2, 4, 8, 16, 30];
/** Ping when nothing was sent for this long (the server pings after 60 s). */
const KEEPALIVE_MS = 45_000;
/** Probe with a Ping when nothing was heard for this long... */
const QUIET_MS = 30_000;
/** ...and give the connection up when the probe is not answered in this. */
const PROBE_MS = 10_000;
/** After a resume, how long the replay has to show which unconfirmed lines the server took. */
const RESUME_GRACE_MS = 3_000;
/** What a raised hand says, privately, to the room's operators (the window's HAND). */
const HAND = 'raises a hand in #';
const REMOVED = 'removed by the teacher';
const NOT_SENT_OFFLINE = 'not sent: the connection is down; send it again once reconnected';
const NOT_DELIVERED = 'not delivered: the connection dropped before the server got it; send it again';

/** The window's /help (client-fltk/src/commands.rs HELP), for the page. */
const HELP = 'Commands: /me action · /msg nick text (private, in a view of its own) · '
  + '/query nick (opens it) · /close (leaves the room, or closes the private view) · /nick newname · '
  + '/topic text (alone: clears it) · /join room · /part [#room] [reason] · /quit [reason] · '
  + '/save (transcript) · /hand (raise your hand) · /help. '
  + 'Teachers and operators: /oper password (or /teacher: become the teacher) · /mute nick [everywhere] · /unmute nick · '
  + '/voice nick (give the word) · /devoice nick · /kick nick [reason] · /ban nick (or @nick: their address) · /unban · '
  + '/bans · /op nick (co-teacher) · /deop nick · /invite nick · /remove [nick] (their last message) · '
  + '/settings · /mode [+-modes] [args]: '
  + 'm moderated, t topic lock, i invite only, N nicknames locked, P no private messages between students, '
  + 'S seconds (slow mode), l number (limit), k key. Tap someone in the member list for the same. '
  + 'Alt+1…9 switch rooms. Start a line with // to send a line that begins with /.';

const EMOJI = [
  '😀', '😂', '🙂', '😉', '😍', '🤔', '😮', '😢', '😡', '😴',
  '👍', '👎', '👏', '🙌', '👋', '🙏', '💪', '🤝', '✌️', '👀',
  '❤️', '🎉', '🔥', '⭐', '✅', '❌', '❓', '❗', '💡', '📚',
  '✏️', '📝', '🧮', '🧪', '🌍', '🎵', '⚽', '🍕', '☕', '⏰',
];

// ================================================================ small helpers

/** @param {string} id @returns {HTMLElement} */
function $(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`no #${id} in index.html`);
  return found;
}
/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ ($(id));

/**
 * An element with a class and text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {string} [className] @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
function make(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** ms since the epoch (server time) as local HH:MM. @param {bigint | number} ms */
function clock(ms) {
  const d = new Date(Number(ms));
  return Number.isNaN(d.getTime()) ? '--:--' : d.toTimeString().slice(0, 5);
}

/** The palette index of `nick` (client-fltk/src/nickcolor.rs: FNV-1a over the folded bytes). @param {string} nick */
function colorIndex(nick) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(foldName(nick))) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash % 10;
}

/** Does `text` mention `nick` as a whole word (transcript.rs `mentions`)? @param {string} text @param {string} nick */
function mentions(text, nick) {
  if (!nick) return false;
  const lower = text.toLowerCase();
  const want = nick.toLowerCase();
  const wordChar = (/** @type {string | undefined} */ c) => c !== undefined && /[\p{L}\p{N}_[\]\\`^{}|]/u.test(c);
  for (let at = lower.indexOf(want); at >= 0; at = lower.indexOf(want, at + 1)) {
    if (!wordChar(lower[at - 1]) && !wordChar(lower[at + want.length])) return true;
  }
  return false;
}

/** Cut `text` into lines of at most `max` UTF-8 bytes, at a space when one is near (commands.rs `split_text`). */
function splitText(/** @type {string} */ text, /** @type {number} */ max) {
  max = Math.max(max, 4);
  /** @type {string[]} */
  const pieces = [];
  for (const line of text.split(/[\r\n]/)) {
    let rest = line.replace(/\0/g, '').trimEnd();
    while (utf8Length(rest) > max) {
      let cut = 0;
      let bytes = 0;
      for (const c of rest) {
        const n = utf8Length(c);
        if (bytes + n > max) break;
        bytes += n;
        cut += c.length;
      }
      const space = rest.lastIndexOf(' ', cut);
      if (space > 0 && space >= cut / 2) cut = space;
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut).replace(/^ /, '');
    }
    if (rest.trim()) pieces.push(rest);
  }
  return pieces;
}

/** Text safe for a *short* field: no NUL, CR or LF, at most 255 bytes. @param {string} s */
function short(s) {
  let out = s.replace(/[\0\r\n]/g, '');
  while (utf8Length(out) > 255) out = [...out].slice(0, -1).join('');
  return out;
}

/** A room's key in maps: room names fold like IRC's names. @param {string} name */
const roomKey = (name) => 'room:' + foldName(name);
/** @param {string} nick */
const privateKey = (nick) => 'private:' + foldName(nick);
const SERVER_KEY = 'server';

// ================================================================ state

/**
 * @typedef {{nick: string, roles: number, hand: boolean}} Member
 * @typedef {{modes: string, limit: number, slow: number, key: string, mutes: string[]}} Controls
 * @typedef {'message' | 'own' | 'action' | 'private-from' | 'private-to' | 'system' | 'error'} LineKind
 * @typedef {{time: string, kind: LineKind, nick: string, text: string, room: string | null,
 *   id: bigint | null, el: HTMLElement, stateEl: HTMLElement | null}} Line
 * @typedef {{key: string, kind: 'room' | 'private' | 'server', name: string, lines: Line[],
 *   members: Member[], controls: Controls, topic: string, unread: number, mentions: number,
 *   logEl: HTMLElement, tabEl: HTMLButtonElement, out: boolean}} View
 * @typedef {{name: string, epoch: number, nextId: bigint, seen: bigint, own: Set<bigint>,
 *   names: string[], roles: number[]}} RoomSession
 * @typedef {{tag: number, room: string, to: string, text: string, action: boolean, line: Line}} Pending
 */

const session = {
  /** @type {{nick: string, password: string, room: string}} */
  login: { nick: '', password: '', room: '' },
  nick: '',
  maxText: 512,
  /** @type {'closed' | 'connecting' | 'connected' | 'waiting'} */
  phase: 'closed',
  /** @type {WebSocket | null} */
  ws: null,
  reader: new FrameReader(),
  attempt: 0,
  everConnected: false,
  everEntered: false,
  /** Lost at least once since the last welcome: the next one is a reconnection. */
  outage: false,
  lastSent: 0,
  lastHeard: 0,
  /** When an unanswered probe Ping went out, or 0. */
  probeSince: 0,
  /** @type {ReturnType<typeof setTimeout> | null} */
  retryTimer: null,
  retryAt: 0,
  teacher: false,
  /** The teacher password once accepted, to prove again after a reconnect. */
  teacherPassword: '',
  /** @type {string | null} */
  teachPending: null,
  nextTag: 1,
  /** @type {Map<string, RoomSession>} */
  rooms: new Map(),
  /** Rooms to (re)join after a welcome, in order. @type {string[]} */
  wanted: [],
  /** Joins sent on this connection, by room key, with whether each resumes. @type {Map<string, boolean>} */
  joining: new Map(),
  /** @type {Pending[]} */
  pending: [],
  /** Lines unconfirmed when the connection dropped, until the replay settles them. @type {Pending[]} */
  unsure: [],
  unsureUntil: 0,
  /** Ban and mute list being received, by room key. @type {Map<string, string[]>} */
  listing: new Map(),
};

/** @type {Map<string, View>} */
const views = new Map();
/** @type {View | null} */
let current = null;

// ================================================================ session: the socket

function connect() {
  session.attempt += 1;
  session.phase = 'connecting';
  session.reader = new FrameReader();
  setStatus(session.attempt === 1 ? 'Connecting…' : `Connecting… (try ${session.attempt})`);
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
  let ws;
  try {
    ws = new WebSocket(url, 'natter');
  } catch (e) {
    connectFailed(`cannot open a connection (${e})`, true);
    return;
  }
  ws.binaryType = 'arraybuffer';
  session.ws = ws;
  ws.onopen = () => {
    if (ws !== session.ws) return;
    session.lastHeard = Date.now();
    send({ kind: 'Hello', version: 1, nick: session.nick, password: session.login.password });
  };
  ws.onmessage = (event) => {
    if (ws !== session.ws || !(event.data instanceof ArrayBuffer)) return;
    session.lastHeard = Date.now();
    session.probeSince = 0;
    for (const item of session.reader.push(event.data)) {
      if ('frame' in item) handleFrame(item.frame);
      else if (item.error.fatal) return lost(`the server sent something unreadable (${item.error.message})`);
      else console.info('natter: skipped a bad frame:', item.error.message);
    }
  };
  ws.onclose = () => {
    if (ws !== session.ws) return;
    if (session.phase === 'connecting') connectFailed('the server could not be reached', true);
    else lost('the server closed the connection');
  };
}

/** @param {Frame} frame */
function send(frame) {
  const ws = session.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(encode(frame));
  session.lastSent = Date.now();
  return true;
}

/** Close the socket of the moment, so none of its events count any more. */
function dropSocket() {
  const ws = session.ws;
  session.ws = null;
  if (ws && ws.readyState <= WebSocket.OPEN) ws.close();
}

/** The attempt failed before the welcome. @param {string} why @param {boolean} retry */
function connectFailed(why, retry) {
  dropSocket();
  if (!session.everConnected || !retry) return failed(why);
  backOff(why, session.attempt - 1);
}

/** The session is over for good: back to the connect page, saying why. @param {string} why */
function failed(why) {
  dropSocket();
  session.phase = 'closed';
  showConnectPage(why, true);
}

/** A working connection was lost. @param {string} why */
function lost(why) {
  if (session.phase !== 'connected' && session.phase !== 'connecting') return;
  if (session.phase === 'connecting' && !session.everConnected) return failed(why);
  backOff(why, session.phase === 'connecting' ? session.attempt - 1 : 0);
}

/** Say the connection is lost and wait before the next try. @param {string} why @param {number} failedTries */
function backOff(why, failedTries) {
  dropSocket();
  const wait = BACKOFF[Math.min(Math.max(failedTries, 0), BACKOFF.length - 1)];
  if (session.phase === 'connected') {
    systemEverywhere(`Connection lost: ${why}. Reconnecting…`);
  }
  session.phase = 'waiting';
  session.outage = true;
  // Lines not acknowledged may or may not have reached the server; the
  // replay after resuming tells.
  session.unsure.push(...session.pending);
  session.pending = [];
  session.retryAt = Date.now() + wait * 1000;
  setStatus(`Connection lost: ${why}. Trying again in ${wait} s…`);
  if (session.retryTimer) clearTimeout(session.retryTimer);
  session.retryTimer = setTimeout(retryNow, wait * 1000);
}

function retryNow() {
  if (session.retryTimer) clearTimeout(session.retryTimer);
  session.retryTimer = null;
  if (session.phase === 'waiting') connect();
}

/**
 * The page came back (lid opened, screen on, network back): a socket that
 * died meanwhile is replaced at once rather than after the back-off, and a
 * live-looking one is probed so a dead one is found within PROBE_MS.
 */
function checkConnection() {
  if (session.phase === 'waiting') return retryNow();
  if (session.phase !== 'connected') return;
  const ws = session.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return lost('the connection was lost while away');
  probe();
}

function probe() {
  if (session.probeSince) return;
  session.probeSince = Date.now();
  send({ kind: 'Ping', token: session.probeSince % 0xffffffff });
}

/** Every second: keepalive, dead-connection probe, resume grace, back-off countdown. */
function tick() {
  const now = Date.now();
  if (session.phase === 'connected') {
    if (session.probeSince && now - session.probeSince > PROBE_MS) {
      session.probeSince = 0;
      return lost('the server stopped answering');
    }
    if (now - session.lastHeard > QUIET_MS) probe();
    else if (now - session.lastSent > KEEPALIVE_MS) send({ kind: 'Ping', token: 0 });
    if (session.unsureUntil && now >= session.unsureUntil) settleUnsure();
  } else if (session.phase === 'waiting') {
    const left = Math.max(0, Math.ceil((session.retryAt - now) / 1000));
    const text = $('status').textContent ?? '';
    $('status').textContent = text.replace(/in \d+ s…$/, `in ${left} s…`);
  }
}

/** The grace is over: lines the replay did not show were not delivered. */
function settleUnsure() {
  session.unsureUntil = 0;
  for (const p of session.unsure.splice(0)) settle(p.line, 'refused', NOT_DELIVERED);
}

// ================================================================ session: frames

/** @param {Frame} frame */
function handleFrame(frame) {
  if (session.phase === 'connecting') {
    if (frame.kind === 'Welcome') welcomed(frame.nick, frame.lobby, frame.max_text);
    else if (frame.kind === 'Error') refusedHello(frame.code, frame.subject);
    else if (frame.kind === 'Bye') connectFailed(byeReason(frame.code, frame.reason), true);
    else if (frame.kind === 'Ping') send({ kind: 'Pong', token: frame.token });
    return;
  }
  if (session.phase !== 'connected') return;
  switch (frame.kind) {
    case 'Ping': send({ kind: 'Pong', token: frame.token }); break;
    case 'Entered': entered(frame.room, frame.topic, frame.epoch, frame.next_id); break;
    case 'Names': names(frame.room, frame.flags, frame.nicks, frame.roles); break;
    case 'Left': left(frame.room, `You left #${frame.room}.`); break;
    case 'Message': message(frame); break;
    case 'Joined':
    case 'Parted':
    case 'NickChanged':
    case 'TopicChanged':
    case 'ModeChanged':
    case 'Kicked':
    case 'Redacted': roomEvent(frame); break;
    case 'Private': privateMessage(frame.time, frame.from, frame.text, (frame.flags & FLAG_ACTION) !== 0); break;
    case 'Ack': acked(frame.tag, frame.room, frame.id, frame.time); break;
    case 'Gap': gap(frame.room, frame.missed); break;
    case 'NickSet':
      session.nick = frame.nick;
      systemEverywhere(`You are now known as ${frame.nick}.`);
      break;
    case 'Error': refused(frame.code, frame.tag, frame.subject); break;
    case 'Bye':
      if (frame.code === errorCode('Quit')) return failed('You left the chat.');
      backOff(byeReason(frame.code, frame.reason), 0);
      break;
    case 'YouAre': youAre(frame.roles); break;
    case 'RoomState': roomState(frame.room, frame.modes, frame.limit, frame.slow, frame.key); break;
    case 'Listed': listed(frame.room, frame.mask); break;
    case 'Invited':
      system(frame.nick === session.nick || sameName(frame.nick, session.nick)
        ? `${frame.by} invited you to #${frame.room}: type /join ${frame.room}`
        : `You invited ${frame.nick} to #${frame.room}.`);
      break;
    default: break; // client frames, a second welcome, pongs
  }
}

/** @param {number} code @param {string} reason */
function byeReason(code, reason) {
  if (code === errorCode('ShuttingDown')) return reason || 'the server is shutting down';
  return `the server closed the connection: ${describeError(code)}`;
}

/** @param {number} code @param {string} subject */
function refusedHello(code, subject) {
  const name = (/** @type {string} */ n) => code === errorCode(n);
  if (name('NickTaken')) {
    // Just after a reconnect the old connection may still hold the name.
    return connectFailed(`the nickname '${subject || session.nick}' is taken; pick another`, true);
  }
  const final = name('BadNick') || name('BadPassword') || name('UnsupportedVersion') || name('TooManyGuesses');
  connectFailed(describeError(code), !final);
}

/** @param {string} nick @param {string} lobby @param {number} maxText */
function welcomed(nick, lobby, maxText) {
  session.phase = 'connected';
  session.nick = nick;
  session.maxText = maxText || 512;
  session.attempt = 0;
  session.teacher = false;
  session.lastHeard = session.lastSent = Date.now();
  if (!session.everConnected) {
    const first = lobby || 'lobby';
    session.wanted = [first];
    const extra = session.login.room.replace(/^#/, '');
    if (extra && !sameName(extra, first)) session.wanted.push(extra);
  }
  session.everConnected = true;
  showChatPage();
  setStatus('');
  systemEverywhere(`${session.outage ? 'Reconnected' : 'Connected'} to ${location.host} as ${nick}.`);
  session.outage = false;
  session.joining.clear();
  // The teacher proves it before joining, so the rooms see the teacher
  // arrive (after every reconnect too: the role is the connection's).
  if (session.teacherPassword) send({ kind: 'Teach', password: session.teacherPassword });
  for (const room of session.wanted) {
    const state = session.rooms.get(roomKey(room));
    const since = state ? state.seen : 0n;
    session.joining.set(roomKey(room), since > 0n);
    send({ kind: 'Join', room, epoch: state ? state.epoch : 0, since, key: '' });
  }
}

/** @param {string} room @param {string} topic @param {number} epoch @param {bigint} nextId */
function entered(room, topic, epoch, nextId) {
  const key = roomKey(room);
  const resumed = session.joining.get(key) ?? false;
  session.joining.delete(key);
  session.everEntered = true;
  let state = session.rooms.get(key);
  if (!state) {
    state = { name: room, epoch, nextId, seen: 0n, own: new Set(), names: [], roles: [] };
    session.rooms.set(key, state);
  }
  // A new incarnation of the room: our old ids mean nothing there.
  if (state.epoch !== epoch) state.own.clear();
  Object.assign(state, { name: room, epoch, nextId, names: [], roles: [] });
  if (nextId - 1n > state.seen) state.seen = nextId - 1n;
  if (!session.wanted.some((r) => sameName(r, room))) session.wanted.push(room);
  if (resumed && session.unsure.length) session.unsureUntil = Date.now() + RESUME_GRACE_MS;

  const view = openView(key, 'room', room);
  view.topic = topic;
  view.out = false;
  let news = `You are in #${room}. Type a message and press Enter; /help lists commands.`;
  if (resumed) news = `Back in #${room}.`;
  else if (topic) news = `You are in #${room}. The topic is: ${topic}`;
  addLine(view, { kind: 'system', text: news });
  const wantedExtra = session.login.room && sameName(session.login.room.replace(/^#/, ''), room);
  if (!resumed && (!current || current.kind === 'server' || wantedExtra || session.joining.size === 0)) select(view);
  else refreshChrome();
}

/** @param {string} room @param {number} flags @param {string[]} nicks @param {number[]} roles */
function names(room, flags, nicks, roles) {
  const state = session.rooms.get(roomKey(room));
  if (!state) return;
  nicks.forEach((nick, i) => { state.names.push(nick); state.roles.push(roles[i] ?? 0); });
  if (flags & FLAG_MORE) return;
  const view = views.get(roomKey(room));
  if (view) {
    const hands = new Set(view.members.filter((m) => m.hand).map((m) => foldName(m.nick)));
    view.members = state.names.map((nick, i) => ({ nick, roles: state.roles[i], hand: hands.has(foldName(nick)) }));
    applyMutes(view);
  }
  state.names = [];
  state.roles = [];
  refreshChrome();
}

/** Out of `room`: neither in it nor rejoining it. @param {string} room @param {string} why */
function left(room, why) {
  forgetRoom(room);
  const view = views.get(roomKey(room));
  if (view) {
    view.out = true;
    view.members = [];
    addLine(view, { kind: 'system', text: why });
  }
  refreshChrome();
}

/** @param {string} room */
function forgetRoom(room) {
  session.wanted = session.wanted.filter((r) => !sameName(r, room));
  session.rooms.delete(roomKey(room));
}

/** The room's session state after noting event `id`, and whether it is live; null if not in the room. @param {string} room @param {bigint} id */
function noteEvent(room, id) {
  const state = session.rooms.get(roomKey(room));
  if (!state) return null;
  if (id > state.seen) state.seen = id;
  return { state, live: id >= state.nextId };
}

/** @param {Extract<Frame, {kind: 'Message'}>} f */
function message(f) {
  const noted = noteEvent(f.room, f.id);
  if (!noted) return;
  const { state, live } = noted;
  const action = (f.flags & FLAG_ACTION) !== 0;
  const removed = (f.flags & FLAG_REMOVED) !== 0;
  const text = removed ? REMOVED : f.text;
  // Our own line, replayed after a resume: already shown.
  if (state.own.has(f.id)) return;
  // A line sent just before the connection dropped that the server did
  // take: it is delivered, not someone else's.
  if (!live && sameName(f.from, session.nick)) {
    const i = session.unsure.findIndex((p) => sameName(p.room, state.name) && p.text === f.text && p.action === action);
    if (i >= 0) {
      const [p] = session.unsure.splice(i, 1);
      p.line.id = f.id;
      state.own.add(f.id);
      settle(p.line, 'delivered');
      return;
    }
  }
  const view = openView(roomKey(f.room), 'room', f.room);
  const mention = !removed && mentions(f.text, session.nick);
  const line = addLine(view, {
    kind: action ? 'action' : 'message', nick: f.from, text, time: clock(f.time), id: f.id,
    mention, removed, count: live,
  });
  if (removed) line.el.classList.add('line-removed');
}

/** Joins, parts, renames, topics, modes, kicks and removals. @param {Frame} f */
function roomEvent(f) {
  if (!('room' in f) || !('id' in f) || !('time' in f)) return;
  const noted = noteEvent(f.room, f.id);
  if (!noted) return;
  const { live } = noted;
  const view = openView(roomKey(f.room), 'room', f.room);
  const time = clock(f.time);
  /** @type {string} */
  let text;
  /** @type {LineKind} */
  let kind = 'system';
  // History is only shown: the member list comes from Names.
  const members = (/** @type {(v: View) => void} */ change) => { if (live) change(view); };
  switch (f.kind) {
    case 'Joined':
      members((v) => addMember(v, f.nick));
      text = `${f.nick} joined`;
      break;
    case 'Parted': {
      members((v) => removeMember(v, f.nick));
      const went = f.flags & FLAG_QUIT ? 'quit' : 'left';
      text = f.reason ? `${f.nick} ${went} (${f.reason})` : `${f.nick} ${went}`;
      break;
    }
    case 'NickChanged':
      members((v) => { for (const m of v.members) if (sameName(m.nick, f.old)) m.nick = f.new; });
      text = `${f.old} is now known as ${f.new}`;
      if (live) renamePrivate(f.old, f.new);
      break;
    case 'TopicChanged':
      if (live) view.topic = f.topic;
      text = f.topic ? `${f.by} set the topic: ${f.topic}` : `${f.by} cleared the topic`;
      break;
    case 'ModeChanged':
      text = applyMode(view, f.by, (f.flags & FLAG_ADD) !== 0, String.fromCharCode(f.mode), f.arg, live);
      break;
    case 'Kicked': {
      members((v) => removeMember(v, f.nick));
      const why = f.reason ? `: ${f.reason}` : '';
      if (live && sameName(f.nick, session.nick)) {
        forgetRoom(f.room);
        view.out = true;
        view.members = [];
        kind = 'error';
        text = `${f.by} put you out of #${f.room}${why}. You can try /join ${f.room} again later.`;
      } else {
        text = `${f.by} put ${f.nick} out of the room${why}`;
      }
      break;
    }
    case 'Redacted': {
      const target = view.lines.find((l) => l.id === f.target);
      if (target) {
        target.text = REMOVED;
        target.el.classList.add('line-removed');
        const textEl = target.el.querySelector('.text');
        if (textEl) textEl.textContent = REMOVED;
      }
      text = `${f.by} removed a message by ${f.from}${f.reason ? ` (${f.reason})` : ''}`;
      break;
    }
    default: return;
  }
  addLine(view, { kind, text, time });
  refreshChrome();
}

/** @param {View} view @param {string} nick */
function addMember(view, nick) {
  if (!view.members.some((m) => sameName(m.nick, nick))) view.members.push({ nick, roles: 0, hand: false });
  applyMutes(view);
}
/** @param {View} view @param {string} nick */
function removeMember(view, nick) {
  view.members = view.members.filter((m) => !sameName(m.nick, nick));
}

/**
 * A mode change: the member list's roles and the room's controls follow,
 * and the line says it in words (client-fltk/src/roles.rs `apply_mode`).
 * @param {View} view @param {string} by @param {boolean} add @param {string} mode @param {string} arg @param {boolean} live
 */
function applyMode(view, by, add, mode, arg, live) {
  const c = view.controls;
  const setRole = (/** @type {number} */ bit) => {
    if (!live) return;
    for (const m of view.members) {
      if (!sameName(m.nick, arg)) continue;
      m.roles = add ? m.roles | bit : m.roles & ~bit;
      if (add && bit & (ROLE_VOICE | ROLE_OPERATOR)) m.hand = false;
    }
  };
  const on = (/** @type {string} */ letter) => {
    if (!live) return;
    c.modes = c.modes.replace(letter, '') + (add ? letter : '');
  };
  switch (mode) {
    case 'T': setRole(ROLE_TEACHER | ROLE_OPERATOR); return `${arg} is the teacher`;
    case 'o': setRole(ROLE_OPERATOR); return add ? `${by} made ${arg} a co-teacher (operator)` : `${by} took operator away from ${arg}`;
    case 'v': setRole(ROLE_VOICE); return add ? `${by} gave ${arg} the word` : `${by} took the word away from ${arg}`;
    case 'b': {
      const mute = arg.startsWith('m:');
      const mask = mute ? arg.slice(2) : arg;
      const who = mask.endsWith('!*@*') && !/[*?]/.test(mask.slice(0, -4)) ? mask.slice(0, -4) : mask;
      if (mute) {
        if (live) {
          c.mutes = c.mutes.filter((m) => m.toLowerCase() !== mask.toLowerCase());
          if (add) c.mutes.push(mask);
          applyMutes(view);
        }
        return add ? `${by} muted ${who}` : `${by} unmuted ${who}`;
      }
      return add ? `${by} banned ${who} from the room` : `${by} lifted the ban on ${who}`;
    }
    case 'k': if (live) c.key = add ? arg : ''; return add ? `${by} set a key for the room` : `${by} removed the room's key`;
    case 'l': if (live) c.limit = add ? Number(arg) || 0 : 0; return add ? `${by} limited the room to ${arg} people` : `${by} removed the room's limit`;
    case 'S': if (live) c.slow = add ? Number(arg) || 0 : 0; return add ? `${by} turned slow mode on: one message every ${arg} seconds` : `${by} turned slow mode off`;
    case 'm': on('m'); return add ? `${by} made the room moderated: only those given the word speak` : `${by} let everyone speak again`;
    case 't': on('t'); return add ? `${by} locked the topic` : `${by} unlocked the topic`;
    case 'i': on('i'); return add ? `${by} closed the room to newcomers` : `${by} opened the room to newcomers`;
    case 'N': on('N'); return add ? `${by} locked nicknames` : `${by} unlocked nicknames`;
    case 'P': on('P'); return add ? `${by} turned private messages between students off` : `${by} turned private messages between students on`;
    default: on(mode); return add ? `${by} set mode ${mode}` : `${by} unset mode ${mode}`;
  }
}

/** Does a mute mask (`nick`, `nick!*@*`, with * and ?) match `nick`? @param {string} mask @param {string} nick */
function maskMatches(mask, nick) {
  const nickPart = mask.split('!')[0];
  const pattern = foldName(nickPart).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(foldName(nick));
}

/** Mark the members the room's mute masks match (operators are never muted). @param {View} view */
function applyMutes(view) {
  for (const m of view.members) {
    const muted = !(m.roles & ROLE_OPERATOR) && view.controls.mutes.some((mask) => maskMatches(mask, m.nick));
    m.roles = muted ? m.roles | ROLE_MUTED : m.roles & ~ROLE_MUTED;
  }
}

/** @param {bigint} time @param {string} from @param {string} text @param {boolean} action */
function privateMessage(time, from, text, action) {
  if (action && text.startsWith(HAND)) {
    const room = text.slice(HAND.length).replace(/ ✋$/, '');
    const view = views.get(roomKey(room));
    const member = view?.members.find((m) => sameName(m.nick, from));
    if (view && member) {
      member.hand = true;
      addLine(view, { kind: 'system', text: `✋ ${from} raises a hand (tap them to give the word)`, count: true });
      refreshChrome();
      return;
    }
  }
  const view = openView(privateKey(from), 'private', from);
  addLine(view, {
    kind: action ? 'action' : 'private-from', nick: from, text, time: clock(time), mention: true, count: true,
  });
}

/** @param {number} tag @param {string} room @param {bigint} id @param {bigint} time */
function acked(tag, room, id, time) {
  const state = room ? session.rooms.get(roomKey(room)) : null;
  if (state) state.own.add(id);
  const i = session.pending.findIndex((p) => p.tag === tag);
  if (i < 0) return;
  const [p] = session.pending.splice(i, 1);
  p.line.id = room ? id : null;
  p.line.time = clock(time);
  const timeEl = p.line.el.querySelector('.time');
  if (timeEl) timeEl.textContent = p.line.time;
  settle(p.line, 'delivered');
}

/** @param {string} room @param {bigint} missed */
function gap(room, missed) {
  const view = views.get(roomKey(room));
  if (!view) return;
  const what = missed === 1n ? 'message' : 'messages';
  addLine(view, { kind: 'error', text: `You missed ${missed} ${what} in #${room}: the server could not send them to you in time.` });
}

/** The server refused a request. @param {number} code @param {number} tag @param {string} subject */
function refused(code, tag, subject) {
  const key = roomKey(subject);
  if (!session.everEntered && session.joining.has(key)) {
    // The first room could not be entered: a failed connection, for the connect page.
    send({ kind: 'Quit', reason: 'could not join' });
    return failed(refusalText(code, subject));
  }
  const text = refusalText(code, subject);
  if (tag !== 0) {
    const i = session.pending.findIndex((p) => p.tag === tag);
    if (i >= 0) {
      const [p] = session.pending.splice(i, 1);
      return settle(p.line, 'refused', text);
    }
  }
  if (['BadRoom', 'RoomFull', 'NoFreeRoom', 'RoomsFixed', 'TooManyRooms', 'Banned', 'InviteOnly', 'BadKey'].some((n) => errorCode(n) === code)) {
    // A refused join: not joining, nor rejoining after a reconnect.
    session.joining.delete(key);
    session.wanted = session.wanted.filter((r) => !sameName(r, subject));
  }
  if (code === errorCode('BadPassword') || code === errorCode('NoTeacher')) session.teachPending = null;
  addLine(current ?? serverView(), { kind: 'error', text: capitalize(text) });
}

/** A refusal in words, naming its subject (session/words.rs `refusal_text`). @param {number} code @param {string} subject */
function refusalText(code, subject) {
  const is = (/** @type {string} */ n) => code === errorCode(n);
  if (is('NickTaken')) return `the nickname '${subject}' is taken; pick another`;
  if (is('NoSuchNick')) return `no one called '${subject}' is online`;
  if (is('NotInRoom')) return `you are not in '${subject}'; join it first`;
  if (is('RoomFull')) return `the room '${subject}' is full; try again later`;
  if (is('AlreadyInRoom')) return `you are already in '${subject}'`;
  return describeError(code);
}

/** @param {number} roles */
function youAre(roles) {
  if (!(roles & ROLE_TEACHER)) return;
  if (session.teachPending) session.teacherPassword = session.teachPending;
  session.teachPending = null;
  if (!session.teacher) systemEverywhere('You are the teacher: you run every room. Tap someone in the member list for what you can do.');
  session.teacher = true;
  refreshChrome();
}

/** @param {string} room @param {string} modes @param {number} limit @param {number} slow @param {string} key */
function roomState(room, modes, limit, slow, key) {
  const view = views.get(roomKey(room));
  if (!view) return;
  Object.assign(view.controls, { modes, limit, slow, key });
  refreshChrome();
}

/** @param {string} room @param {string} mask */
function listed(room, mask) {
  const key = roomKey(room);
  const list = session.listing.get(key) ?? [];
  if (mask) {
    list.push(mask.startsWith('m:') ? `${mask.slice(2)} (muted)` : `${mask} (banned)`);
    session.listing.set(key, list);
    return;
  }
  session.listing.delete(key);
  const view = views.get(key) ?? current ?? serverView();
  addLine(view, { kind: 'system', text: list.length ? `Banned and muted in #${room}: ${list.join(', ')}` : `Nobody is banned or muted in #${room}.` });
}

// ================================================================ own lines

/** Say `text` in the selected view: the room, or privately to its person. @param {string[]} pieces @param {boolean} action */
function say(pieces, action) {
  const view = current;
  if (!view || view.kind === 'server') return system('Join a room first: /join lobby');
  if (view.kind === 'room' && view.out) return system(`You are not in #${view.name}: type /join ${view.name}`);
  for (const text of pieces) {
    const tag = session.nextTag++;
    const line = addLine(view, {
      kind: action ? 'action' : view.kind === 'private' ? 'private-to' : 'own',
      nick: view.kind === 'private' ? view.name : session.nick, text, state: '…',
    });
    if (session.phase !== 'connected') {
      settle(line, 'refused', NOT_SENT_OFFLINE);
      continue;
    }
    const flags = action ? FLAG_ACTION : 0;
    const p = { tag, room: view.kind === 'room' ? view.name : '', to: view.kind === 'private' ? view.name : '', text, action, line };
    session.pending.push(p);
    const frame = view.kind === 'room'
      ? /** @type {Frame} */ ({ kind: 'Say', tag, room: view.name, flags, text })
      : /** @type {Frame} */ ({ kind: 'Whisper', tag, to: view.name, flags, text });
    try {
      send(frame);
    } catch (e) {
      session.pending.pop();
      settle(line, 'refused', `not sent: ${e instanceof Error ? e.message : e}`);
    }
  }
}

/** Mark an own line ✓ or ✗ (with the reason). @param {Line} line @param {'delivered' | 'refused'} how @param {string} [why] */
function settle(line, how, why) {
  if (!line.stateEl) return;
  line.stateEl.textContent = how === 'delivered' ? '✓' : `✗ ${why ?? ''}`;
  line.stateEl.classList.toggle('refused', how === 'refused');
  line.stateEl.title = how === 'delivered' ? 'delivered' : `not delivered: ${why}`;
  line.stateEl.setAttribute('aria-label', line.stateEl.title);
}

/** Send a request frame, or say why it cannot go. @param {Frame} frame @param {string} what */
function request(frame, what) {
  if (session.phase !== 'connected') return system(`Not done while the connection is down: ${what}.`);
  try {
    send(frame);
  } catch (e) {
    system(`Not done (${what}): ${e instanceof Error ? e.message : e}`);
  }
}

// ================================================================ views

/** @param {string} key @param {'room' | 'private' | 'server'} kind @param {string} name @returns {View} */
function openView(key, kind, name) {
  const existing = views.get(key);
  if (existing) {
    if (kind !== 'server') existing.name = name;
    return existing;
  }
  const logEl = make('div', 'view');
  logEl.hidden = true;
  $('log').append(logEl);
  const tabEl = make('button');
  tabEl.type = 'button';
  $('tabs').append(tabEl);
  /** @type {View} */
  const view = {
    key, kind, name, lines: [], members: [], topic: '', unread: 0, mentions: 0, logEl, tabEl, out: false,
    controls: { modes: '', limit: 0, slow: 0, key: '', mutes: [] },
  };
  tabEl.addEventListener('click', () => select(view));
  views.set(key, view);
  // The first real view takes over what the server view said so far.
  const server = views.get(SERVER_KEY);
  if (kind === 'room' && server && server !== view && [...views.values()].filter((v) => v.kind === 'room').length === 1) {
    for (const line of server.lines) { view.lines.push(line); logEl.append(line.el); }
    closeView(server);
  }
  refreshChrome();
  return view;
}

function serverView() {
  return openView(SERVER_KEY, 'server', location.host);
}

/** @param {View} view */
function closeView(view) {
  views.delete(view.key);
  view.logEl.remove();
  view.tabEl.remove();
  if (current === view) {
    current = null;
    const next = [...views.values()][0];
    if (next) select(next);
  }
  refreshChrome();
}

/** @param {View} view */
function select(view) {
  current = view;
  for (const v of views.values()) v.logEl.hidden = v !== view;
  view.unread = 0;
  view.mentions = 0;
  refreshChrome();
  scrollToEnd();
}

/** @param {string} oldNick @param {string} newNick */
function renamePrivate(oldNick, newNick) {
  const view = views.get(privateKey(oldNick));
  if (!view || views.has(privateKey(newNick))) return;
  views.delete(view.key);
  view.key = privateKey(newNick);
  view.name = newNick;
  views.set(view.key, view);
  addLine(view, { kind: 'system', text: `${oldNick} is now known as ${newNick}` });
}

/**
 * Add a line to `view` and show it. `count`: a live line that counts as
 * unread when the view is not on show (or the page is hidden).
 * @param {View} view
 * @param {{kind: LineKind, text: string, nick?: string, time?: string, id?: bigint | null,
 *   mention?: boolean, removed?: boolean, count?: boolean, state?: string}} spec
 * @returns {Line}
 */
function addLine(view, spec) {
  const time = spec.time ?? clock(Date.now());
  const nick = spec.nick ?? '';
  const el = make('p', `line-${spec.kind.replace(/-(from|to)$/, '')}`);
  if (spec.kind === 'private-from' || spec.kind === 'private-to') el.classList.add('line-private');
  if (spec.mention && spec.kind !== 'private-from') el.classList.add('line-mention');
  el.append(make('span', 'time', time));
  const nickEl = (/** @type {string} */ n) => make('span', `nick c${colorIndex(n)}`, n);
  switch (spec.kind) {
    case 'message': case 'own': el.append('<', nickEl(nick), '> '); break;
    case 'action': el.append('* ', nickEl(nick), ' '); break;
    case 'private-from': el.append('(private) <', nickEl(nick), '> '); break;
    case 'private-to': el.append('(private to ', nickEl(nick), ') '); break;
    default: el.append('— ');
  }
  el.append(make('span', 'text', spec.text));
  /** @type {HTMLElement | null} */
  let stateEl = null;
  if (spec.state) {
    stateEl = make('span', 'state', spec.state);
    stateEl.title = 'sending';
    stateEl.setAttribute('aria-label', 'sending');
    el.append(stateEl);
  }
  /** @type {Line} */
  const line = {
    time, kind: spec.kind, nick, text: spec.text, room: view.kind === 'room' ? view.name : null,
    id: spec.id ?? null, el, stateEl,
  };
  const log = $('log');
  const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  view.lines.push(line);
  view.logEl.append(el);
  if (spec.count && (view !== current || document.hidden)) {
    view.unread += 1;
    if (spec.mention) view.mentions += 1;
    refreshChrome();
  }
  if (view === current && atEnd) scrollToEnd();
  return line;
}

/** A system line in the selected view. @param {string} text */
function system(text) {
  addLine(current ?? serverView(), { kind: 'system', text });
}

/** @param {string} text */
function systemEverywhere(text) {
  if (views.size === 0) serverView();
  for (const view of views.values()) addLine(view, { kind: 'system', text });
}

function scrollToEnd() {
  const log = $('log');
  log.scrollTop = log.scrollHeight;
}

/** @param {string} s */
const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** The transcript of every view, as the window's /save writes it. */
function transcript() {
  const out = [];
  for (const view of views.values()) {
    for (const l of view.lines) {
      const room = l.room ? `#${l.room} ` : '';
      const body = {
        message: `<${l.nick}> ${l.text}`, own: `<${l.nick}> ${l.text}`, action: `* ${l.nick} ${l.text}`,
        'private-from': `(private) <${l.nick}> ${l.text}`, 'private-to': `(private to ${l.nick}) ${l.text}`,
        system: `— ${l.text}`, error: `— ${l.text}`,
      }[l.kind];
      out.push(`[${l.time}] ${room}${body}`);
    }
  }
  return out.join('\n') + '\n';
}

function saveTranscript() {
  const blob = new Blob([transcript()], { type: 'text/plain;charset=utf-8' });
  const a = make('a');
  a.href = URL.createObjectURL(blob);
  a.download = `natter-${new Date().toISOString().slice(0, 16).replace(/[T:]/g, '-')}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  system('The transcript is downloading.');
}

// ================================================================ what is on show

function myRoles() {
  if (!current || current.kind !== 'room') return 0;
  const me = current.members.find((m) => sameName(m.nick, session.nick));
  return (me?.roles ?? 0) | (session.teacher ? ROLE_TEACHER | ROLE_OPERATOR : 0);
}

/** Tabs, title, topic, banner, members and buttons, from the state. */
function refreshChrome() {
  let unread = 0;
  let mentioned = 0;
  let index = 1;
  for (const view of views.values()) {
    unread += view.unread;
    mentioned += view.mentions;
    const label = view.kind === 'room' ? `#${view.name}` : view.kind === 'server' ? view.name : view.name;
    const count = view.unread ? ` (${view.unread})${view.mentions ? ' ★' : ''}` : '';
    view.tabEl.textContent = label + count;
    view.tabEl.title = `${label}${view.kind === 'private' ? ' (private)' : ''} · Alt+${index++}`;
    view.tabEl.classList.toggle('mentioned', view.mentions > 0);
    if (view === current) view.tabEl.setAttribute('aria-current', 'page');
    else view.tabEl.removeAttribute('aria-current');
  }
  document.title = mentioned ? `(${mentioned}★) natter` : unread ? `(${unread}) natter` : 'natter';
  const view = current;
  const roles = myRoles();
  const operator = (roles & ROLE_OPERATOR) !== 0;
  $('topic').textContent = view?.kind === 'room' && view.topic ? `Topic: ${view.topic}` : '';
  const banner = view?.kind === 'room' ? bannerText(view, roles) : '';
  $('banner').textContent = banner;
  $('banner').hidden = !banner;
  $('settings-button').hidden = !operator;
  const silent = view?.kind === 'room' && !operator && ((roles & ROLE_MUTED) !== 0 || (view.controls.modes.includes('m') && !(roles & ROLE_VOICE)));
  $('hand-button').hidden = !(view?.kind === 'room' && !operator);
  input('input').placeholder = silent
    ? (roles & ROLE_MUTED ? 'The teacher muted you here' : 'Only the teacher speaks here: raise your hand')
    : view?.kind === 'private' ? `Private message to ${view.name}` : 'Message';
  renderMembers();
}

/** How the room is run, in a line (roles.rs `banner`) @param {View} view @param {number} roles */
function bannerText(view, roles) {
  const c = view.controls;
  const parts = [];
  if (roles & ROLE_MUTED && !(roles & ROLE_OPERATOR)) parts.push(`The teacher muted you in #${view.name}`);
  if (c.modes.includes('m')) parts.push(`Only the teacher speaks in #${view.name}${roles & ROLE_VOICE && !(roles & ROLE_OPERATOR) ? ' (you have the word)' : ''}`);
  if (c.slow > 0) parts.push(`slow mode: a message every ${c.slow} s`);
  if (c.modes.includes('P')) parts.push('no private messages between students');
  if (c.modes.includes('N')) parts.push('nicknames locked');
  if (c.modes.includes('i')) parts.push('closed to newcomers');
  if (view.out) parts.unshift(`You are not in #${view.name}: /join ${view.name} to go back`);
  return capitalize(parts.join(' · '));
}

/** @param {Member} m */
function memberLabel(m) {
  const prefix = m.roles & ROLE_OPERATOR ? '@' : m.roles & ROLE_VOICE ? '+' : '';
  return prefix + m.nick + (m.roles & ROLE_TEACHER ? ' 🎓' : '') + (m.roles & ROLE_MUTED ? ' 🔇' : '') + (m.hand ? ' ✋' : '');
}

function renderMembers() {
  const list = $('member-list');
  list.replaceChildren();
  const view = current;
  const members = view?.kind === 'room' ? view.members : [];
  $('members-title').textContent = view?.kind === 'room' ? `Members (${members.length})` : 'Members';
  for (const m of members) {
    const li = make('li');
    const b = make('button', `c${colorIndex(m.nick)}`, memberLabel(m));
    b.type = 'button';
    b.setAttribute('aria-haspopup', 'menu');
    b.addEventListener('click', () => openMemberMenu(m, b));
    li.append(b);
    list.append(li);
  }
}

/** @param {string} text @param {boolean} [problem] */
function showConnectPage(text, problem = false) {
  $('chat-page').hidden = true;
  $('connect-page').hidden = false;
  const msg = $('connect-message');
  msg.textContent = text ? capitalize(text) + (/[.!?]$/.test(text) ? '' : '.') : '';
  msg.classList.toggle('problem', problem);
  input('join').disabled = false;
  input('nick').focus();
}

function showChatPage() {
  if (!$('chat-page').hidden) return;
  $('connect-page').hidden = true;
  $('chat-page').hidden = false;
  input('input').focus();
}

/** @param {string} text */
function setStatus(text) {
  $('status').textContent = text;
  $('status').hidden = !text || $('chat-page').hidden;
  if ($('chat-page').hidden && text) $('connect-message').textContent = text;
}

// ================================================================ commands

/** What a typed line means (commands.rs `parse`). @param {string} line */
function runLine(line) {
  line = line.replace(/[\r\n]+$/, '');
  if (!line.trim()) return;
  if (line.startsWith('//')) return say(splitText(line.slice(1), session.maxText), false);
  if (!line.startsWith('/')) return say(splitText(line, session.maxText), false);
  const match = /^\/(\S*)\s*([\s\S]*)$/.exec(line);
  const name = (match?.[1] ?? '').toLowerCase();
  const rest = (match?.[2] ?? '').trim();
  const words = rest.split(/\s+/).filter(Boolean);
  const usage = (/** @type {string} */ example) => system(`Type it like this: ${example}`);
  const room = current?.kind === 'room' ? current.name : '';
  const inRoom = () => {
    if (!room) system('That works in a room: pick one of the tabs first.');
    return room;
  };
  switch (name) {
    case 'me': return rest ? say(splitText(rest, session.maxText), true) : usage('/me waves  (shows as: * you waves)');
    case 'query':
      if (words.length === 1) return query(words[0]);
      // falls through: /query nick text is /msg
    case 'msg': case 'whisper': {
      const [to, ...text] = words;
      if (!to || !text.length) return usage('/msg bob see you at lunch');
      if (!isValidNick(to)) return system(`'${to}' cannot be a nickname.`);
      const view = openView(privateKey(to), 'private', to);
      select(view);
      return say(splitText(rest.slice(to.length).trim(), session.maxText), false);
    }
    case 'nick':
      if (!rest) return usage('/nick newname');
      if (!isValidNick(rest)) return system(`That nickname cannot be used: ${describeError(errorCode('BadNick'))}.`);
      return request({ kind: 'SetNick', nick: rest }, 'changing nickname');
    case 'topic': {
      if (!inRoom()) return;
      const topic = rest.replace(/[\0\r\n]/g, '');
      if (utf8Length(topic) > session.maxText) return system(`That topic is too long (${utf8Length(topic)} bytes; the server takes ${session.maxText}). Shorten it.`);
      return request({ kind: 'SetTopic', room, topic }, 'setting the topic');
    }
    case 'join': return join(rest.replace(/^#/, ''));
    case 'part': case 'leave': {
      const named = rest.startsWith('#') ? words[0].slice(1) : '';
      const target = named || room;
      if (!target) return usage('/part #maths');
      const reason = named ? rest.slice(words[0].length).trim() : rest;
      return part(target, reason);
    }
    case 'close': return closeCurrent();
    case 'quit': case 'exit': return quit(rest);
    case 'save': return saveTranscript();
    case 'help': case '?': return system(HELP);
    case 'oper': case 'teacher': {
      const password = words[words.length - 1];
      if (!password) return usage('/oper the-teacher-password');
      session.teachPending = password;
      return request({ kind: 'Teach', password: short(password) }, 'proving the teacher password');
    }
    case 'hand': case 'raise': return raiseHand();
    case 'settings': return openSettings();
    case 'remove': case 'redact': return removeLast(words[0]);
    case 'mode': return inRoom() && modes(room, words);
    case 'bans': return inRoom() && mode(room, null, 'b', '');
    case 'mute': case 'unmute': case 'ban': case 'unban': case 'voice': case 'devoice': case 'op': case 'deop': case 'invite': {
      const nick = words[0];
      if (!nick) return usage(`/${name} bob`);
      if (name === 'mute' && words[1] === 'everywhere') return muteEverywhere(nick);
      if (!inRoom()) return;
      return onMember(name, room, nick);
    }
    case 'kick': {
      const nick = words[0];
      if (!nick) return usage('/kick bob please calm down');
      if (!inRoom()) return;
      return request({ kind: 'Kick', room, nick, reason: short(rest.slice(nick.length).trim()) }, 'putting someone out of the room');
    }
    default: return system(`There is no command /${name}. ${HELP}`);
  }
}

/** @param {string} name @param {string} room @param {string} nick */
function onMember(name, room, nick) {
  /** @type {Record<string, [boolean, string, string]>} */
  const table = {
    mute: [true, 'b', `m:${nick}`], unmute: [false, 'b', `m:${nick}`], ban: [true, 'b', nick], unban: [false, 'b', nick],
    voice: [true, 'v', nick], devoice: [false, 'v', nick], op: [true, 'o', nick], deop: [false, 'o', nick],
  };
  if (name === 'invite') return request({ kind: 'Invite', room, nick }, 'inviting someone');
  const [add, letter, arg] = table[name];
  mode(room, add, letter, arg);
}

/** Set (true), take away (false) or ask (null) one mode. @param {string} room @param {boolean | null} add @param {string} letter @param {string} arg */
function mode(room, add, letter, arg) {
  const flags = add === null ? 0 : add ? FLAG_ADD : FLAG_REMOVE;
  const code = letter ? letter.charCodeAt(0) : 0;
  request({ kind: 'Mode', room, flags, mode: code < 128 ? code : 63, arg: short(arg) }, "changing the room's settings");
}

/** `/mode` (ask), or `/mode +mv-o bob cat`: one change per letter (commands.rs `modes`). @param {string} room @param {string[]} words */
function modes(room, words) {
  const [changes, ...args] = words;
  if (!changes) return mode(room, null, '', '');
  if (!/^[+-]/.test(changes)) return system('Type it like this: /mode +m  or  /mode +v bob  or  /mode -S');
  let add = true;
  /** @type {[boolean | null, string, string][]} */
  const todo = [];
  for (const letter of changes) {
    if (letter === '+' || letter === '-') { add = letter === '+'; continue; }
    if ('ovb'.includes(letter)) {
      const arg = args.shift();
      if (arg) todo.push([add, letter, arg]);
      else if (letter === 'b') todo.push([null, 'b', '']);
      else return system(`Type it like this: /mode ${add ? '+' : '-'}${letter} bob`);
    } else if ('klS'.includes(letter) && add) {
      const arg = args.shift();
      if (!arg) return system(`Type it like this: /mode +${letter} ${letter === 'k' ? 'secret' : '30'}`);
      todo.push([true, letter, arg]);
    } else {
      todo.push([add, letter, '']);
    }
  }
  for (const [a, letter, arg] of todo) mode(room, a, letter, arg);
}

/** @param {string} nick */
function query(nick) {
  if (!isValidNick(nick)) return system(`'${nick}' cannot be a nickname.`);
  select(openView(privateKey(nick), 'private', nick));
}

/** @param {string} room */
function join(room) {
  if (!room) return system('Type it like this: /join maths');
  if (!isValidRoom(room)) return system(`That room name cannot be used: ${describeError(errorCode('BadRoom'))}.`);
  const view = views.get(roomKey(room));
  if (view && !view.out) return select(view);
  if (!session.wanted.some((r) => sameName(r, room))) session.wanted.push(room);
  if (session.phase !== 'connected') return system(`You will join #${room} once reconnected.`);
  session.joining.set(roomKey(room), false);
  request({ kind: 'Join', room, epoch: 0, since: 0n, key: '' }, 'joining a room');
}

/** @param {string} room @param {string} reason */
function part(room, reason) {
  if (session.phase !== 'connected') return left(room, `You left #${room}.`);
  request({ kind: 'Part', room, reason: short(reason) }, 'leaving a room');
}

function closeCurrent() {
  const view = current;
  if (!view) return;
  if (view.kind === 'room' && !view.out) return part(view.name, '');
  closeView(view);
}

/** @param {string} reason */
function quit(reason) {
  if (session.phase === 'connected') send({ kind: 'Quit', reason: short(reason) });
  if (session.retryTimer) clearTimeout(session.retryTimer);
  session.phase = 'closed';
  dropSocket();
  resetSession();
  showConnectPage('You left the chat.');
}

/** Forget the rooms and views of the session that ended. */
function resetSession() {
  for (const view of [...views.values()]) closeView(view);
  Object.assign(session, {
    rooms: new Map(), wanted: [], pending: [], unsure: [], joining: new Map(), attempt: 0,
    everConnected: false, everEntered: false, outage: false, teacher: false, teacherPassword: '',
  });
}

/** A raised hand: a private action to each of the room's operators (moderation.rs `raise_hand`). */
function raiseHand() {
  const view = current;
  if (!view || view.kind !== 'room') return system('Hands are raised in a room.');
  const operators = view.members.filter((m) => m.roles & ROLE_OPERATOR && !sameName(m.nick, session.nick));
  if (!operators.length) return system(`Nobody runs #${view.name} right now: just say it.`);
  for (const m of operators) {
    request({ kind: 'Whisper', tag: session.nextTag++, to: m.nick, flags: FLAG_ACTION, text: `${HAND}${view.name} ✋` }, 'raising your hand');
  }
  addLine(view, { kind: 'system', text: 'You raised your hand: the teacher sees it.' });
}

/** Remove the last message of `nick` (or the last message) in the selected room. @param {string | undefined} nick */
function removeLast(nick) {
  const view = current;
  if (!view || view.kind !== 'room') return system('Messages are removed in a room.');
  const line = [...view.lines].reverse().find((l) => l.id !== null && (l.kind === 'message' || l.kind === 'action' || l.kind === 'own')
    && l.text !== REMOVED && (!nick || sameName(l.nick, nick)));
  if (!line || line.id === null) return system(nick ? `No message of ${nick} to remove here.` : 'No message to remove here.');
  request({ kind: 'Redact', room: view.name, id: line.id, reason: '' }, 'removing a message');
}

/** @param {string} nick */
function muteEverywhere(nick) {
  let count = 0;
  for (const view of views.values()) {
    if (view.kind !== 'room' || view.out) continue;
    const me = view.members.find((m) => sameName(m.nick, session.nick));
    if (session.teacher || (me && me.roles & ROLE_OPERATOR)) { mode(view.name, true, 'b', `m:${nick}`); count++; }
  }
  if (!count) system('You run no room to mute them in.');
}

// ================================================================ the member menu

/** @type {HTMLElement | null} */
let menuOpener = null;

/** @param {Member} m @param {HTMLElement} opener */
function openMemberMenu(m, opener) {
  const menu = $('member-menu');
  menu.replaceChildren(make('p', 'menu-title', memberLabel(m)));
  const room = current?.kind === 'room' ? current.name : '';
  const mine = myRoles();
  const theirs = m.roles;
  const may = (/** @type {boolean} */ ok) => (mine & ROLE_OPERATOR) !== 0 && !(theirs & ROLE_TEACHER) && ok;
  const op = (theirs & ROLE_OPERATOR) !== 0;
  /** @type {[string, boolean, () => void][]} */
  const items = [
    ['Private message', !sameName(m.nick, session.nick), () => query(m.nick)],
    ['Give the word', may(!(theirs & ROLE_VOICE)), () => mode(room, true, 'v', m.nick)],
    ['Take the word away', may((theirs & ROLE_VOICE) !== 0), () => mode(room, false, 'v', m.nick)],
    ['Mute', may(!(theirs & ROLE_MUTED) && !op), () => mode(room, true, 'b', `m:${m.nick}`)],
    ['Mute in all my rooms', may(!op), () => muteEverywhere(m.nick)],
    ['Unmute', may((theirs & ROLE_MUTED) !== 0), () => mode(room, false, 'b', `m:${m.nick}`)],
    ['Put out of the room', may(true), () => request({ kind: 'Kick', room, nick: m.nick, reason: '' }, 'putting someone out of the room')],
    ['Ban from the room', may(true), () => mode(room, true, 'b', m.nick)],
    ['Make co-teacher (operator)', may(!op), () => mode(room, true, 'o', m.nick)],
    ['Take operator away', may(op), () => mode(room, false, 'o', m.nick)],
    ['Remove their last message', may(true), () => removeLast(m.nick)],
  ];
  for (const [label, shown, act] of items) {
    if (!shown) continue;
    const b = make('button', '', label);
    b.type = 'button';
    b.setAttribute('role', 'menuitem');
    b.addEventListener('click', () => { closeMenus(); act(); });
    menu.append(b);
  }
  menu.hidden = false;
  const r = opener.getBoundingClientRect();
  const width = menu.offsetWidth;
  menu.style.left = `${Math.max(4, Math.min(r.left, window.innerWidth - width - 4))}px`;
  menu.style.top = `${Math.max(4, Math.min(r.bottom, window.innerHeight - menu.offsetHeight - 4))}px`;
  menuOpener = opener;
  /** @type {HTMLElement | null} */ (menu.querySelector('button'))?.focus();
}

function closeMenus() {
  const menuOpen = !$('member-menu').hidden;
  const gridOpen = !$('emoji-grid').hidden;
  $('member-menu').hidden = true;
  $('emoji-grid').hidden = true;
  $('emoji-button').setAttribute('aria-expanded', 'false');
  if (menuOpen && menuOpener?.isConnected) menuOpener.focus();
  else if (gridOpen) $('emoji-button').focus();
  menuOpener = null;
}

// ================================================================ the settings dialog

function openSettings() {
  const view = current;
  if (!view || view.kind !== 'room') return system('Settings are a room\'s: pick a room first.');
  if (!(myRoles() & ROLE_OPERATOR)) return system(describeError(errorCode('NotOperator')));
  const dialog = /** @type {HTMLDialogElement} */ ($('settings'));
  const form = /** @type {HTMLFormElement} */ ($('settings-form'));
  const field = (/** @type {string} */ n) => /** @type {HTMLInputElement} */ (form.elements.namedItem(n));
  for (const letter of 'mtiNP') field(letter).checked = view.controls.modes.includes(letter);
  field('S').value = String(view.controls.slow);
  field('l').value = String(view.controls.limit);
  field('k').value = view.controls.key;
  $('settings-title').textContent = `Settings of #${view.name}`;
  dialog.onclose = () => {
    if (dialog.returnValue !== 'apply') return;
    const c = view.controls;
    for (const letter of 'mtiNP') {
      const on = field(letter).checked;
      if (on !== c.modes.includes(letter)) mode(view.name, on, letter, '');
    }
    const number = (/** @type {string} */ n, /** @type {number} */ max) => Math.max(0, Math.min(max, Math.floor(Number(field(n).value) || 0)));
    const slow = number('S', 3600);
    if (slow !== c.slow) slow ? mode(view.name, true, 'S', String(slow)) : mode(view.name, false, 'S', '');
    const limit = number('l', 65535);
    if (limit !== c.limit) limit ? mode(view.name, true, 'l', String(limit)) : mode(view.name, false, 'l', '');
    const key = field('k').value.trim();
    if (key !== c.key) key ? mode(view.name, true, 'k', key) : mode(view.name, false, 'k', '');
  };
  dialog.returnValue = '';
  dialog.showModal();
}

// ================================================================ the page's wiring

function setUpConnectForm() {
  const saved = localStorage.getItem('natter.nick');
  if (saved) input('nick').value = saved;
  const params = new URLSearchParams(location.search);
  if (params.get('room')) input('room').value = params.get('room') ?? '';
  $('connect-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const nick = input('nick').value.normalize('NFC').trim();
    const room = input('room').value.normalize('NFC').trim().replace(/^#/, '');
    if (!nick) return showConnectPage('Type a nickname: what others see.', true);
    if (!isValidNick(nick)) return showConnectPage(`That nickname cannot be used: ${describeError(errorCode('BadNick'))}`, true);
    if (room && !isValidRoom(room)) return showConnectPage(`That room name cannot be used: ${describeError(errorCode('BadRoom'))}`, true);
    localStorage.setItem('natter.nick', nick);
    resetSession();
    session.login = { nick, password: short(input('password').value), room };
    session.nick = nick;
    input('join').disabled = true;
    $('connect-message').classList.remove('problem');
    connect();
  });
}

function setUpChat() {
  $('send-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const field = input('input');
    const line = field.value;
    field.value = '';
    runLine(line);
    refreshChrome();
  });
  const grid = $('emoji-grid');
  for (const emoji of EMOJI) {
    const b = make('button', '', emoji);
    b.type = 'button';
    b.addEventListener('click', () => insertEmoji(emoji));
    grid.append(b);
  }
  $('emoji-button').addEventListener('click', () => {
    const open = grid.hidden;
    closeMenus();
    grid.hidden = !open;
    $('emoji-button').setAttribute('aria-expanded', String(open));
    if (open) /** @type {HTMLElement} */ (grid.firstElementChild)?.focus();
  });
  $('hand-button').addEventListener('click', () => { raiseHand(); input('input').focus(); });
  $('settings-button').addEventListener('click', openSettings);
  $('save-button').addEventListener('click', saveTranscript);
  $('leave-button').addEventListener('click', () => quit('left'));
  $('members-button').addEventListener('click', () => {
    const open = $('members').classList.toggle('open');
    $('members-button').setAttribute('aria-expanded', String(open));
    if (open) /** @type {HTMLElement | null} */ ($('members').querySelector('button'))?.focus();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      if ($('members').classList.contains('open')) {
        $('members').classList.remove('open');
        $('members-button').setAttribute('aria-expanded', 'false');
      }
      closeMenus();
    } else if (event.altKey && /^[1-9]$/.test(event.key)) {
      const view = [...views.values()][Number(event.key) - 1];
      if (view) { event.preventDefault(); select(view); }
    }
  });
  document.addEventListener('click', (event) => {
    const target = /** @type {Node} */ (event.target);
    const inside = (/** @type {string} */ id) => $(id).contains(target);
    if (!inside('member-menu') && !inside('member-list')) $('member-menu').hidden = true;
    if (!inside('emoji-grid') && !inside('emoji-button')) {
      $('emoji-grid').hidden = true;
      $('emoji-button').setAttribute('aria-expanded', 'false');
    }
  });
}

/** @param {string} emoji */
function insertEmoji(emoji) {
  const field = input('input');
  const at = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? at;
  field.value = field.value.slice(0, at) + emoji + field.value.slice(end);
  field.focus();
  field.setSelectionRange(at + emoji.length, at + emoji.length);
}

/** Light or dark: the system's unless the switch chose (remembered). */
function setUpTheme() {
  const button = $('theme-button');
  const systemDark = () => matchMedia('(prefers-color-scheme: dark)').matches;
  const apply = (/** @type {string | null} */ theme) => {
    if (theme) document.documentElement.dataset.theme = theme;
    else delete document.documentElement.dataset.theme;
    const dark = theme ? theme === 'dark' : systemDark();
    button.textContent = dark ? 'Light' : 'Dark';
    button.setAttribute('aria-label', dark ? 'Switch to the light theme' : 'Switch to the dark theme');
  };
  apply(localStorage.getItem('natter.theme'));
  button.addEventListener('click', () => {
    const dark = document.documentElement.dataset.theme ? document.documentElement.dataset.theme === 'dark' : systemDark();
    const theme = dark ? 'light' : 'dark';
    localStorage.setItem('natter.theme', theme);
    apply(theme);
  });
}

/**
 * The page is exactly as tall as what is visible, so a phone's on-screen
 * keyboard shrinks the log rather than covering the input line.
 */
function setUpViewport() {
  const vv = window.visualViewport;
  const fit = () => {
    if (vv) document.documentElement.style.setProperty('--view-height', `${vv.height}px`);
    scrollToEnd();
  };
  vv?.addEventListener('resize', fit);
  window.addEventListener('resize', fit);
  fit();
}

function setUpLiveness() {
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) return;
    if (current) { current.unread = 0; current.mentions = 0; refreshChrome(); }
    checkConnection();
  });
  window.addEventListener('online', checkConnection);
  window.addEventListener('pageshow', checkConnection);
  window.addEventListener('focus', () => {
    if (current) { current.unread = 0; current.mentions = 0; refreshChrome(); }
  });
  window.addEventListener('pagehide', (event) => {
    // Closed for good (not kept in the back-forward cache): say goodbye.
    if (!event.persisted && session.phase === 'connected') send({ kind: 'Quit', reason: 'closed the page' });
  });
  setInterval(tick, 1000);
}

setUpConnectForm();
setUpChat();
setUpTheme();
setUpViewport();
setUpLiveness();
