/** The registry of what the runtime keeps by key, and waiter lists (a stylesheet or script loading, any other wait). */

/** Called once per request of a resource: with no argument when it loaded, with the reason when it did not. */
export type Settled = (error?: string) => void;

/**
 * The callbacks waiting on one thing. Once it has settled, `_settled` is set and `push` calls back at once, so a late
 * waiter is answered like an early one.
 */
export type Waiters = Settled[] & { _settled?: Settled };

/**
 * Everything the runtime keeps by key, in one object: each key starts with what it is, so no key is a name of
 * Object.prototype and kinds never collide. `link` + URL and `script` + URL: the requests (one URL as stylesheet and
 * as script are two resources); `style` + text: the <style> for that inline css; `#` + target: the last pagelet of
 * that target (pagelets.ts).
 */
export const registry: Record<string, any> = {};

/** Answers every waiter on `list`, and every later one at once. */
export const settle = (list: Waiters, error?: string) =>
  list._settled || list.map((list._settled = list.push = ((f: Settled) => f(error)) as any));

/** Marks a script URL as run: a later request for it is answered at once, nothing is loaded. */
export const ran = (src: string) => settle((registry['script' + src] ||= []));
