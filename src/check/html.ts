/**
 * Reading HTML as a browser's tokenizer does, as far as the checker needs: start and end tags with their attributes
 * (quotes respected), comments, the doctype, raw-text elements (script, style, …) and the data between. One pass,
 * fed piece by piece: every character is looked at once, whatever the chunk boundaries, and nothing is kept but the
 * token in progress (and a script's content). Not modelled: script data's escaped states (`<!--` inside a script),
 * which a payload escaped as PROTOCOL.md §3 says never enters.
 */

export interface Tag {
  /** lower case */
  name: string;
  /** raw values (entities not decoded), first occurrence wins as in browsers; empty for end tags */
  attrs: Map<string, string>;
  /** offset of its "<" in the document */
  start: number;
  /** UTF-8 byte offset of its "<", while the tokenizer counts bytes (see countBytes) */
  byte: number;
}

export interface Script {
  attrs: Map<string, string>;
  content: string;
  /** offset of its "<script" */
  start: number;
  /** just past its "</script…>", or the end of the input when it never closed */
  end: number;
  byte: number;
}

export interface TokenHandler {
  /** every start tag, a script's before its content */
  start?(tag: Tag): void;
  /** every end tag outside raw text (a script's closing one included, after `script`) */
  end?(tag: Tag): void;
  /** a script element, when it ends or the input does */
  script?(script: Script): void;
  /** text between tags; a "<" that starts no tag is text */
  text?(text: string): void;
  /** a comment, when it ends */
  comment?(): void;
  /** `<!…>` that is not a comment (a doctype, or a bogus comment): what is between `<!` and `>`, up to 256 chars */
  declaration?(body: string, start: number): void;
}

// Elements whose content is raw text (RAWTEXT, RCDATA, script data, noscript with scripting on): no markup inside.
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript']);

const enum State {
  Data,
  TagOpen,
  EndTagOpen,
  TagName,
  BeforeAttr,
  AttrName,
  AfterAttrName,
  BeforeValue,
  ValueQuoted,
  ValueUnquoted,
  Declaration,
  DeclarationDash,
  Bogus,
  Comment,
  Raw,
  RawEnd,
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
const isLetter = (c: number) => (c | 32) >= 97 && (c | 32) <= 122;
const endsName = (c: number) => isSpace(c) || c === 47 || c === 62;
const endsAttrName = (c: number) => endsName(c) || c === 61;
const endsUnquoted = (c: number) => isSpace(c) || c === 62;
/** The first index from `i` whose character `stop` accepts, or `n`. */
const until = (s: string, i: number, n: number, stop: (c: number) => boolean) => {
  while (i < n && !stop(s.charCodeAt(i))) i++;
  return i;
};

/** UTF-8 bytes of text[from, to) (a surrogate counts 2: a pair is 4 bytes, wherever a chunk boundary splits it). */
export function utf8Length(text: string, from = 0, to = text.length): number {
  let bytes = to - from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

export class Tokenizer {
  /** count UTF-8 bytes for Tag.byte; turn off once no one needs byte offsets (it costs a pass over the text) */
  countBytes = true;
  private state = State.Data;
  /** offset of the current piece's first character in the document */
  private base = 0;
  private bytes = 0;
  private counted = 0;
  private piece = '';
  // the token in progress
  private tag: Tag = { name: '', attrs: new Map(), start: 0, byte: 0 };
  private isEnd = false;
  private attrName = '';
  private value = '';
  private quote = 0;
  private declaration = '';
  /** whether the bogus comment in progress began with "<!" (a doctype, say) */
  private declares = false;
  /** dashes at the end of a comment's text so far (at most 2) */
  private dashes = 0;
  // inside a raw-text element
  private raw = '';
  private rawAttrs = new Map<string, string>();
  private rawStart = 0;
  private rawByte = 0;
  private content: string[] = [];
  /** how much of "</name" matched so far, and the text it matched */
  private matched = '';

  constructor(private readonly on: TokenHandler) {}

  /** The document's length so far, in characters. */
  get offset() {
    return this.base + this.piece.length;
  }

  write(piece: string) {
    this.piece = piece;
    this.counted = 0;
    const n = piece.length;
    let i = 0;
    while (i < n) i = this.step(piece, i, n);
    if (this.countBytes) this.bytes += utf8Length(piece, this.counted, n);
    this.base += n;
    this.piece = '';
  }

  /** The input has ended: a script that never closed ends here; any other token in progress is dropped. */
  end() {
    if (this.raw) {
      if (this.state === State.RawEnd) this.keep(this.matched);
      this.closeRaw(this.base);
    } else if (this.state === State.TagOpen || this.state === State.EndTagOpen) this.on.text?.(this.isEnd ? '</' : '<');
    this.state = State.Data;
  }

  private byteAt(i: number) {
    if (!this.countBytes) return 0;
    this.bytes += utf8Length(this.piece, this.counted, i);
    this.counted = i;
    return this.bytes;
  }

  /** Consumes from `i` in the current state; returns where to go on. */
  private step(s: string, i: number, n: number): number {
    const c = s.charCodeAt(i);
    switch (this.state) {
      case State.Data: {
        const lt = s.indexOf('<', i);
        const to = lt < 0 ? n : lt;
        if (to > i) this.on.text?.(s.slice(i, to));
        if (lt < 0) return n;
        this.tag = { name: '', attrs: new Map(), start: this.base + lt, byte: this.byteAt(lt) };
        this.isEnd = false;
        this.state = State.TagOpen;
        return lt + 1;
      }
      case State.TagOpen:
        if (isLetter(c)) return ((this.state = State.TagName), i);
        if (c === 33 /* ! */) return (this.bogus(true), (this.state = State.Declaration), i + 1);
        if (c === 47 /* / */) return ((this.state = State.EndTagOpen), (this.isEnd = true), i + 1);
        if (c === 63 /* ? */) return (this.bogus(false), i + 1);
        this.on.text?.('<');
        return ((this.state = State.Data), i);
      case State.EndTagOpen:
        if (isLetter(c)) return ((this.state = State.TagName), i);
        if (c === 62 /* > */) return ((this.state = State.Data), i + 1);
        return (this.bogus(false), i);
      case State.TagName: {
        const j = until(s, i, n, endsName);
        this.tag.name += s.slice(i, j).toLowerCase();
        if (j < n) this.state = State.BeforeAttr;
        return j;
      }
      case State.BeforeAttr:
        if (isSpace(c) || c === 47) return i + 1;
        if (c === 62) return this.emitTag(i + 1);
        this.attrName = '';
        this.state = State.AttrName;
        // "=" here starts a name (as in browsers)
        if (c === 61) return ((this.attrName = '='), i + 1);
        return i;
      case State.AttrName: {
        const j = until(s, i, n, endsAttrName);
        this.attrName += s.slice(i, j).toLowerCase();
        if (j === n) return j;
        const d = s.charCodeAt(j);
        if (d === 61) return ((this.state = State.BeforeValue), j + 1);
        if (isSpace(d)) return ((this.state = State.AfterAttrName), j + 1);
        this.setAttr('');
        return ((this.state = State.BeforeAttr), j);
      }
      case State.AfterAttrName:
        if (isSpace(c)) return i + 1;
        if (c === 61) return ((this.state = State.BeforeValue), i + 1);
        this.setAttr('');
        return ((this.state = State.BeforeAttr), i);
      case State.BeforeValue:
        if (isSpace(c)) return i + 1;
        this.value = '';
        if (c === 34 || c === 39) return ((this.quote = c), (this.state = State.ValueQuoted), i + 1);
        if (c === 62) return (this.setAttr(''), this.emitTag(i + 1));
        return ((this.state = State.ValueUnquoted), i);
      case State.ValueQuoted: {
        const q = s.indexOf(this.quote === 34 ? '"' : "'", i);
        this.value += s.slice(i, q < 0 ? n : q);
        if (q < 0) return n;
        this.setAttr(this.value);
        return ((this.state = State.BeforeAttr), q + 1);
      }
      case State.ValueUnquoted: {
        const j = until(s, i, n, endsUnquoted);
        this.value += s.slice(i, j);
        if (j === n) return j;
        this.setAttr(this.value);
        return ((this.state = State.BeforeAttr), j);
      }
      case State.Declaration:
        if (c === 45 /* - */) return ((this.state = State.DeclarationDash), i + 1);
        return ((this.state = State.Bogus), i);
      case State.DeclarationDash:
        if (c === 45) return ((this.state = State.Comment), (this.dashes = 0), i + 1);
        this.declaration = '-';
        return ((this.state = State.Bogus), i);
      case State.Bogus: {
        const gt = s.indexOf('>', i);
        const to = gt < 0 ? n : gt;
        if (this.declaration.length < 256) this.declaration += s.slice(i, Math.min(to, i + 256));
        if (gt < 0) return n;
        this.state = State.Data;
        if (this.declares) this.on.declaration?.(this.declaration.slice(0, 256), this.tag.start);
        else this.on.comment?.();
        return gt + 1;
      }
      case State.Comment: {
        const gt = s.indexOf('>', i);
        if (gt < 0) {
          this.dashes = trailingDashes(s, i, n, this.dashes);
          return n;
        }
        if (trailingDashes(s, i, gt, this.dashes) >= 2) {
          this.state = State.Data;
          this.on.comment?.();
        } else this.dashes = 0;
        return gt + 1;
      }
      case State.Raw: {
        const lt = s.indexOf('<', i);
        const to = lt < 0 ? n : lt;
        if (to > i) this.keep(s.slice(i, to));
        if (lt < 0) return n;
        this.matched = '<';
        this.state = State.RawEnd;
        return lt + 1;
      }
      case State.RawEnd: {
        // "</" + the element's name, then a space, "/" or ">": its end tag. Anything else was content.
        const k = this.matched.length;
        const want = k === 1 ? 47 : k - 2 < this.raw.length ? this.raw.charCodeAt(k - 2) : -1;
        if (want === -1 && (isSpace(c) || c === 47 || c === 62)) {
          this.tag = { name: this.raw, attrs: new Map(), start: this.base + i - k, byte: 0 };
          this.isEnd = true;
          this.matched = '';
          this.state = State.BeforeAttr;
          return i;
        }
        if (want !== -1 && (k === 1 ? c === want : (c | 32) === want)) {
          this.matched += s[i];
          return i + 1;
        }
        this.keep(this.matched);
        this.matched = '';
        return ((this.state = State.Raw), i);
      }
    }
  }

  private bogus(declares: boolean) {
    this.state = State.Bogus;
    this.declares = declares;
    this.declaration = '';
  }

  private setAttr(value: string) {
    if (!this.isEnd && !this.tag.attrs.has(this.attrName)) this.tag.attrs.set(this.attrName, value);
  }

  /** The tag in progress is complete at `to`; raw-text elements go on in the Raw state. */
  private emitTag(to: number): number {
    const tag = this.tag;
    this.state = State.Data;
    if (this.isEnd) {
      if (this.raw) this.closeRaw(this.base + to);
      this.on.end?.(tag);
      return to;
    }
    this.on.start?.(tag);
    if (RAW_TEXT.has(tag.name)) {
      this.raw = tag.name;
      this.rawAttrs = tag.attrs;
      this.rawStart = tag.start;
      this.rawByte = tag.byte;
      this.content = [];
      this.state = State.Raw;
    }
    return to;
  }

  private keep(text: string) {
    if (this.raw === 'script') this.content.push(text);
  }

  private closeRaw(end: number) {
    if (this.raw === 'script')
      this.on.script?.({
        attrs: this.rawAttrs,
        content: this.content.join(''),
        start: this.rawStart,
        end,
        byte: this.rawByte,
      });
    this.raw = '';
    this.content = [];
  }
}

/** Dashes ending s[from, to), continuing `carried` (those before `from`) when all of it is dashes; at most 2. */
function trailingDashes(s: string, from: number, to: number, carried: number): number {
  let count = 0;
  for (let j = to - 1; j >= from && count < 2; j--) {
    if (s.charCodeAt(j) !== 45) return count;
    count++;
  }
  return Math.min(2, count + (count === to - from ? carried : 0));
}

const ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
const codePoint = (n: number) => (n <= 0x10ffff ? String.fromCodePoint(n) : '\ufffd');
export const decodeEntities = (text: string) =>
  text.includes('&')
    ? text.replace(/&(?:#(\d+)|#x([\da-f]+)|(\w+));/gi, (all, dec, hex, name) =>
        dec || hex ? codePoint(parseInt(dec ?? hex, dec ? 10 : 16)) : (ENTITIES[name.toLowerCase()] ?? all),
      )
    : text;

/** An attribute's value, entities decoded ('' when present without one), or undefined when absent. */
export const attr = (attrs: Map<string, string>, name: string): string | undefined => {
  const value = attrs.get(name);
  return value === undefined ? undefined : decodeEntities(value);
};

/** Element ids in an HTML fragment (a pagelet's html), outside comments and raw-text elements. */
export function idsOf(html: string, into: (id: string) => void): void {
  const tokenizer = new Tokenizer({
    start: (tag) => {
      const id = attr(tag.attrs, 'id');
      if (id !== undefined) into(id);
    },
  });
  tokenizer.countBytes = false;
  tokenizer.write(html);
  tokenizer.end();
}
