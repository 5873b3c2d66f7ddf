// The demo page: a social-network home page cut into pagelets, each with its own (simulated) backend latency.
// This file is what an application writes: a skeleton with placeholders, and a render function per pagelet.
import { placeholder } from '../dist/server.js';

/** Every latency the query string can set, in ms, with its default and what it delays. */
export const LATENCIES = {
  header: [30, 'site header: search box and account menu'],
  nav: [60, 'left navigation'],
  feed: [150, 'main feed: the first chunk after this long, each next chunk as long again'],
  trending: [120, 'sidebar widget: trending topics'],
  birthdays: [250, 'sidebar widget whose backend then fails: shows its fallback'],
  weather: [2500, 'sidebar widget with a 700 ms budget: at 700 ms or more it shows its fallback'],
  recs: [1400, 'recommendations, the slow one'],
  chat: [500, 'chat and notifications dock'],
  css: [50, 'delay of every stylesheet response (as from a CDN)'],
  js: [50, 'delay of every script response'],
};

const MAX_LATENCY = 10_000;
const WEATHER_BUDGET = 700;
const FEED_CHUNKS = 3;

/** The latencies of a request: defaults, overridden by numeric query parameters (clamped to 0–10 s). */
export function readLatencies(searchParams) {
  const latencies = {};
  for (const [name, [fallback]] of Object.entries(LATENCIES)) {
    const value = Number(searchParams.get(name) ?? NaN);
    latencies[name] = Number.isFinite(value) ? Math.min(Math.max(Math.round(value), 0), MAX_LATENCY) : fallback;
  }
  return latencies;
}

/** Only the latencies that differ from the defaults, as a query string ('' or '?a=1&b=2'). */
export function latencyQuery(latencies, extra = {}) {
  const query = new URLSearchParams(extra);
  for (const [name, [fallback]] of Object.entries(LATENCIES))
    if (latencies[name] !== fallback) query.set(name, latencies[name]);
  const text = query.toString();
  return text && '?' + text;
}

/** Resolves after `ms`, or rejects as soon as the pagelet is aborted (timeout, disconnect): no timer outlives its page. */
const backend = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

const PEOPLE = [
  'Ada Lovelace',
  'Alan Turing',
  'Grace Hopper',
  'Edsger Dijkstra',
  'Barbara Liskov',
  'Donald Knuth',
  'Margaret Hamilton',
  'Ken Thompson',
  'Radia Perlman',
];
const POSTS = [
  'Shipped the new onboarding flow today. Time to first paint went from 2.1 s to 380 ms.',
  'Reminder: the slowest query on a page should never decide when the rest of it shows up.',
  'Our team offsite photos are up in the shared album.',
  'Anyone else still thinking about that talk on streaming HTML? Flushing early is underrated.',
  'Hiring: two frontend engineers who care about bytes on the wire.',
  'Rain all week here. Perfect weather for refactoring.',
  'New blog post: how we cut our CSS in half without anyone noticing.',
  'Coffee machine on floor 3 is fixed. You are welcome.',
  'Looking for recommendations: a good book on distributed systems for beginners?',
];
const initials = (name) =>
  name
    .split(' ')
    .map((w) => w[0])
    .join('');

const post = (i) =>
  `<article class="post"><header><span class="avatar">${initials(PEOPLE[i])}</span><b>${PEOPLE[i]}</b>` +
  `<time>${(i + 1) * 7} min</time></header><p>${POSTS[i]}</p>` +
  `<footer><button type="button" class="like" data-count="${(i * 37) % 90}">Like · ${(i * 37) % 90}</button>` +
  `<button type="button">Comment</button></footer></article>`;

/**
 * The page: a skeleton with a placeholder per pagelet, and the pagelets. `asset(name)` turns a file name into the
 * URL the page uses for it; `bar` is the demo's own mode switcher above the page (the server adds the head).
 */
export function demoPage({ latencies: l, asset, bar = '' }) {
  const widgets = asset('widgets.css'); // shared by every sidebar widget: requested once per page
  const ui = asset('ui.js'); // shared by most pagelets: loaded once, before the first pagelet script that needs it
  // The feed streams in chunks: one pagelet whose render is an async generator. Each chunk becomes its own payload
  // (the first fills the placeholder, the next are appended), so the first posts show while the rest still render.
  const feed = {
    id: 'feed',
    async *render({ signal }) {
      for (let n = 0; n < FEED_CHUNKS; n++) {
        await backend(l.feed, signal);
        const html = [0, 1, 2].map((k) => post(n * 3 + k)).join('');
        // Only the first chunk brings the stylesheet and the script: the like buttons are delegated from #feed.
        yield n
          ? { html }
          : {
              html,
              css_links: [asset('feed.css')],
              js_links: [ui, asset('feed.js')],
              js: `Feed.init(document.getElementById('feed'));Timeline.mark('feed')`,
            };
      }
    },
  };

  const pagelets = [
    {
      id: 'header',
      async render({ signal }) {
        await backend(l.header, signal);
        return {
          html:
            '<form class="search" role="search"><input type="search" name="q" placeholder="Search people, posts, groups"></form>' +
            '<div class="me"><button type="button" class="me-button"><span class="avatar">AL</span> Ada</button>' +
            '<ul class="menu" hidden><li><a href="#">Profile</a></li><li><a href="#">Settings</a></li><li><a href="#">Sign out</a></li></ul></div>',
          css: '.me{position:relative}.menu{position:absolute;right:0;top:2.4em;margin:0;padding:.4em 0;list-style:none;background:#fff;border:1px solid #ddd;border-radius:8px;box-shadow:0 4px 14px #0002;min-width:9em;z-index:2}.menu a{display:block;padding:.35em 1em;color:inherit;text-decoration:none}.menu a:hover{background:#f2f4f7}',
          js_links: [ui],
          js: `UI.menu(document.querySelector('#header .me'));Timeline.mark('header')`,
        };
      },
    },
    {
      id: 'nav',
      async render({ signal }) {
        await backend(l.nav, signal);
        // No stylesheet and no script: shown the moment it arrives.
        return {
          html:
            '<ul class="nav"><li class="active"><a href="#">Home</a></li><li><a href="#">Messages <b>3</b></a></li>' +
            '<li><a href="#">Groups</a></li><li><a href="#">Events</a></li><li><a href="#">Saved</a></li><li><a href="#">Settings</a></li></ul>',
        };
      },
    },
    feed,
    {
      id: 'trending',
      async render({ signal }) {
        await backend(l.trending, signal);
        const topics = ['#streaming', '#webperf', '#css', '#http2', '#a11y', '#rust', '#edge'];
        return {
          html:
            '<section class="widget"><h2>Trending</h2><ol class="topics">' +
            topics
              .map(
                (t, i) =>
                  `<li${i > 3 ? ' class="more"' : ''}><a href="#">${t}</a> <small>${((9 - i) * 1.3).toFixed(1)}k posts</small></li>`,
              )
              .join('') +
            '</ol><button type="button" class="link toggle">Show more</button></section>',
          css_links: [widgets],
          js_links: [ui],
          js: `UI.collapsible(document.getElementById('trending'));Timeline.mark('trending')`,
        };
      },
    },
    {
      id: 'birthdays',
      async render({ signal }) {
        await backend(l.birthdays, signal);
        throw new Error('birthday service answered 503');
      },
      // Sent instead when render throws or times out: the page stays whole.
      fallback: {
        html: '<section class="widget muted"><h2>Birthdays</h2><p>Birthdays are unavailable right now.</p></section>',
        css_links: [widgets],
      },
    },
    {
      id: 'weather',
      timeout: WEATHER_BUDGET,
      async render({ signal }) {
        await backend(l.weather, signal);
        return {
          html: '<section class="widget"><h2>Weather</h2><p class="weather"><span class="temp">14°</span> Light rain in Lisbon</p></section>',
          css_links: [widgets],
        };
      },
      fallback: {
        html: '<section class="widget muted"><h2>Weather</h2><p>The weather service is taking too long.</p></section>',
        css_links: [widgets],
      },
    },
    {
      id: 'recs',
      async render({ signal }) {
        await backend(l.recs, signal);
        return {
          html:
            '<section class="widget"><h2>People you may know</h2><ul class="recs">' +
            PEOPLE.slice(4, 8)
              .map(
                (name) =>
                  `<li><span class="avatar">${initials(name)}</span><span>${name}<small>12 mutual friends</small></span><button type="button" class="add">Add</button><button type="button" class="dismiss" aria-label="Dismiss">×</button></li>`,
              )
              .join('') +
            '</ul></section>',
          css_links: [widgets, asset('recs.css')],
          js_links: [ui, asset('recs.js')],
          js: `Recs.init(document.getElementById('recs'));Timeline.mark('recs')`,
        };
      },
    },
    {
      id: 'chat',
      async render({ signal }) {
        await backend(l.chat, signal);
        return {
          html:
            '<section class="chat"><button type="button" class="chat-title">Chat <span class="badge">2</span></button>' +
            '<ul class="chat-list" hidden><li><span class="avatar">GH</span> Grace Hopper <i class="online"></i></li>' +
            '<li><span class="avatar">AT</span> Alan Turing <i class="online"></i></li><li><span class="avatar">BL</span> Barbara Liskov</li></ul></section>',
          css_links: [asset('chat.css')],
          js_links: [ui, asset('chat.js')],
          js: `Chat.init(document.getElementById('chat'));Timeline.mark('chat')`,
        };
      },
    },
  ];

  const body = `${bar}
<header class="top"><a class="logo" href="#">pipebook</a>${placeholder('header')}</header>
<div class="layout">
<nav class="left">${placeholder('nav')}</nav>
<main class="main"><h1>Home</h1>${placeholder('feed')}</main>
<aside class="right">${placeholder('trending')}${placeholder('birthdays')}${placeholder('weather')}${placeholder('recs')}</aside>
</div>
<div class="dock">${placeholder('chat')}</div>
`;
  return { body, pagelets };
}
