// The demo's timeline probe, inlined in the head before any pagelet can arrive. Per pagelet it records, in ms since
// navigation start (performance.now()): arrive, css (its stylesheets have loaded), display, js (its inline JS ran,
// via Timeline.mark(id) at the end of that JS). In BigPipe mode it listens to the runtime's events; without the
// runtime (traditional and no-JS modes) it watches the DOM, and a pagelet counts as displayed once its markup is
// in the document and the stylesheets inside it have loaded. It posts every record to the comparison page when
// framed, and writes a summary into the demo bar.
(() => {
  const script = document.currentScript;
  const mode = script.dataset.mode;
  const ids = script.dataset.pagelets.split(' ');
  const pagelets = Object.fromEntries(ids.map((id) => [id, {}]));
  const framed = parent !== window;
  const now = () => Math.round(performance.now() * 10) / 10;
  const post = (message) => framed && parent.postMessage({ bigpipeDemo: 1, mode, ...message }, location.origin);

  const timeline = (window.Timeline = {
    mode,
    pagelets,
    errors: [],
    paint: undefined, // first contentful paint
    done: undefined, // BigPipe: bigpipe:done; otherwise the last pagelet JS
    complete: false,
    mark: (id) => record(id, 'js'),
  });

  const record = (id, kind, t = now()) => {
    const p = pagelets[id];
    if (!p || p[kind] !== undefined) return;
    p[kind] = t;
    post({ id, kind, t });
    if (kind === 'display') summarize();
  };
  const page = (kind, t = now()) => {
    timeline[kind] = t;
    post({ kind, t });
  };

  const seconds = (t) => (t < 1000 ? Math.round(t) + ' ms' : (t / 1000).toFixed(2) + ' s');
  const summarize = () => {
    const shown = ids.map((id) => pagelets[id].display).filter((t) => t !== undefined);
    const stats = document.getElementById('demo-stats');
    if (!stats || !shown.length) return;
    stats.textContent =
      `first pagelet ${seconds(Math.min(...shown))} · ${shown.length}/${ids.length} shown ${seconds(Math.max(...shown))}` +
      (timeline.complete ? ` · JS done ${seconds(timeline.done)}` : '');
  };
  const finish = () => {
    timeline.complete = true;
    summarize();
    post({ kind: 'complete', t: now() });
  };

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if (entry.name === 'first-contentful-paint') page('paint', Math.round(entry.startTime * 10) / 10);
  }).observe({ type: 'paint', buffered: true });

  if (mode === 'pipeline') {
    const on = (type, fn) => document.addEventListener('bigpipe:' + type, (event) => fn(event.detail));
    on('arrive', ({ target }) => record(target, 'arrive'));
    // The runtime shows a pagelet once its stylesheets have loaded: for those with css_links this is "CSS loaded" too.
    on('display', ({ target }) => {
      record(target, 'css');
      record(target, 'display');
    });
    on('error', (detail) => timeline.errors.push(detail));
    on('done', () => {
      page('done');
      finish();
    });
    return;
  }

  // No runtime: the parser inserts each pagelet in document order.
  const loaded = new WeakSet();
  const watched = new WeakSet();
  const isContent = (node) =>
    node.nodeType === 1 ? !/^(LINK|STYLE|SCRIPT)$/.test(node.tagName) : node.nodeType === 3 && node.data.trim();
  const check = () => {
    for (const id of ids) {
      const element = document.getElementById(id);
      if (pagelets[id].display !== undefined || !element?.firstChild) continue;
      record(id, 'arrive');
      const sheets = [...element.querySelectorAll('link[rel=stylesheet]')];
      for (const link of sheets)
        if (link.sheet) loaded.add(link);
        else if (!watched.has(link)) {
          watched.add(link);
          const settle = () => (loaded.add(link), check());
          link.addEventListener('load', settle);
          link.addEventListener('error', settle);
        }
      if (sheets.every((link) => loaded.has(link)) && [...element.childNodes].some(isContent)) {
        if (sheets.length) record(id, 'css');
        record(id, 'display');
      }
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.documentElement, { childList: true, subtree: true });
  addEventListener('load', () => {
    check();
    observer.disconnect();
    const marks = ids.map((id) => pagelets[id].js).filter((t) => t !== undefined);
    page('done', marks.length ? Math.max(...marks) : now());
    finish();
  });
})();
