/**
 * Payloads of older BigPipe servers, and what their fields are called in the protocol (PROTOCOL.md §9). Shared by the
 * compat script (which renames them in the page) and the checker (which says what to rename on the server).
 */

/**
 * `{"Id","Content","Css","Js"}`: the ASP.NET MVC BigPipe tutorial (2010), written by JavaScriptSerializer as
 * `bigpipe.onPageletArrive({...})` after `var bigpipe = new BigPipe(n)`, n being how many pagelets the page sends.
 */
export const ASPNET = { Id: 'target', Content: 'html', Css: 'css_links', Js: 'js_links' } as const;

/**
 * `{id, content, css, js, is_last}`: Facebook's 2010 format, `big_pipe.onPageletArrive({...})`; `css` and `js` are
 * lists of URLs, and `is_last` marks the page's last payload.
 */
export const FACEBOOK_2010 = { id: 'target', content: 'html', css: 'css_links', js: 'js_links' } as const;

const RENAMES: Record<string, string> = { ...ASPNET, ...FACEBOOK_2010 };

/**
 * The payload in the protocol's fields. `n`: how many payloads this page has sent so far, this one included (an
 * `is_last` payload makes it the total); `count`: the page's `new BigPipe(count)`, the total. A field already in the
 * protocol's spelling wins, and `css`/`js` that are strings are the protocol's own (inline CSS and JS), kept as they
 * are: only lists are renamed. Anything else (a protocol payload, or no object at all) passes unchanged, so the
 * runtime reports what is wrong with it.
 */
export const adapt = (payload: unknown, n: number, count?: unknown): unknown => {
  if (typeof payload != 'object' || !payload) return payload;
  const p: Record<string, unknown> = { ...payload };
  for (const from in RENAMES) {
    const to = RENAMES[from]!;
    // `in`: the copy's own fields, as no rename is a name of Object.prototype
    if (from in p && p[to] == null && !(to.endsWith('_links') && typeof p[from] == 'string')) {
      p[to] = p[from];
      delete p[from];
    }
  }
  const total = typeof count == 'number' ? count : p.is_last === true ? n : undefined;
  if (p.total == null && total !== undefined) p.total = total;
  return p;
};
