// The side-by-side view: collects what each frame's timeline probe posts and draws one row per pagelet, one lane
// per frame: waiting for the server, loading stylesheets, displayed, until its JS ran.
(() => {
  const sides = [0, 1].map(() => ({ pagelets: {}, page: {} }));
  let loadStart = 0; // parent time when the frames started loading (0: with this page)
  let frame = 0;

  const seconds = (t) => (t === undefined ? '…' : t < 1000 ? Math.round(t) + ' ms' : (t / 1000).toFixed(2) + ' s');
  const frames = () => [...document.querySelectorAll('.frames iframe')];
  const ids = () => (document.getElementById('chart')?.dataset.pagelets ?? '').split(' ').filter(Boolean);

  addEventListener('message', (event) => {
    const m = event.data;
    const side = frames().findIndex((f) => f.contentWindow === event.source);
    if (event.origin !== location.origin || !m?.bigpipeDemo || side < 0) return;
    const s = sides[side];
    if (m.id) (s.pagelets[m.id] ||= {})[m.kind] = m.t;
    else s.page[m.kind] = m.t;
    schedule();
  });

  const schedule = () => (frame ||= requestAnimationFrame(draw));

  const stats = (s) => {
    const shown = ids()
      .map((id) => s.pagelets[id]?.display)
      .filter((t) => t !== undefined);
    return {
      first: shown.length ? Math.min(...shown) : undefined,
      all: shown.length === ids().length ? Math.max(...shown) : undefined,
      done: s.page.complete !== undefined ? s.page.done : undefined,
    };
  };

  function draw() {
    frame = 0;
    const chart = document.getElementById('chart');
    if (!chart) return;
    const complete = sides.every((s) => s.page.complete !== undefined);
    const now = complete ? 0 : performance.now() - loadStart;
    const times = sides.flatMap((s) => [
      ...Object.values(s.pagelets).flatMap(Object.values),
      s.page.done ?? 0,
      s.page.paint ?? 0,
    ]);
    const domain = Math.max(500, now, ...times) * 1.04;
    const step = [50, 100, 250, 500, 1000, 2000, 5000].find((s) => domain / s <= 8) ?? 10000;
    const x = (t) => ((t / domain) * 100).toFixed(2) + '%';
    const bar = (cls, from, to) =>
      to > from ? `<i class="${cls}" style="left:${x(from)};width:${x(to - from)}"></i>` : '';
    const dot = (cls, t) => (t === undefined ? '' : `<i class="${cls}" style="left:${x(t)}"></i>`);

    const lane = (side, p = {}) => {
      const s = sides[side];
      const end = s.page.complete !== undefined ? undefined : now;
      const arrive = p.arrive ?? end;
      return (
        `<div class="lane" data-side="${side}">` +
        bar('wait', 0, arrive ?? 0) +
        (p.arrive !== undefined ? bar('css', p.arrive, p.display ?? p.css ?? end ?? p.arrive) : '') +
        // Only pagelets with inline JS report when it ran (Timeline.mark); the others get no JS segment.
        (p.display !== undefined && p.js !== undefined ? bar('js', p.display, p.js) : '') +
        dot('tick', p.js) +
        dot('shown', p.display) +
        `</div>`
      );
    };
    const pageLane = (side) => {
      const s = sides[side];
      return `<div class="lane" data-side="${side}">${dot('paint', s.page.paint)}${dot('tick', s.page.done)}</div>`;
    };
    const row = (name, lanes) =>
      `<div class="row"><span class="name">${name}</span><div class="lanes">${lanes}</div></div>`;
    let ticks = '';
    let grid = '';
    for (let t = 0; t <= domain; t += step) {
      ticks += `<span style="left:${x(t)}">${t >= 1000 ? t / 1000 + ' s' : t + ' ms'}</span>`;
      grid += `<i style="left:${x(t)}"></i>`;
    }
    const names = frames().map((f) => f.title);
    const [a, b] = sides.map(stats);
    let headline = 'Loading both…';
    if (a.first !== undefined && b.first !== undefined && a.all !== undefined && b.all !== undefined)
      headline =
        `<b>${names[0]}</b> showed its first pagelet after <b>${seconds(a.first)}</b>, <b>${names[1]}</b> after <b>${seconds(b.first)}</b>` +
        (b.first > a.first ? ` (${seconds(b.first - a.first)} later)` : '') +
        `. All pagelets: ${seconds(a.all)} vs ${seconds(b.all)}; JS done: ${seconds(a.done)} vs ${seconds(b.done)}.`;
    chart.innerHTML =
      `<p class="headline">${headline}</p>` +
      `<div class="rows"><div class="grid">${grid}</div>` +
      row('whole page', pageLane(0) + pageLane(1)) +
      ids()
        .map((id) => row(id, lane(0, sides[0].pagelets[id]) + lane(1, sides[1].pagelets[id])))
        .join('') +
      `<div class="row"><span></span><div class="axis">${ticks}</div></div></div>` +
      `<p class="legend"><span class="swatch" style="background:#2356c7"></span>${names[0]} <span class="swatch" style="background:#9b59b6"></span>${names[1]}</p>`;
    document.querySelectorAll('.frames figure').forEach((figure, i) => {
      const s = [a, b][i];
      figure.querySelector('.summary').textContent =
        `first pagelet ${seconds(s.first)} · all shown ${seconds(s.all)} · JS done ${seconds(s.done)}`;
    });
    // Keep the "now" edge moving while a frame is loading (bounded: stops after 20 s).
    if (!complete && now < 20_000) schedule();
  }

  addEventListener('DOMContentLoaded', () => {
    const scale = () => frames().forEach((f) => f.style.setProperty('--scale', f.parentElement.clientWidth / 1100));
    new ResizeObserver(scale).observe(document.querySelector('.frames'));
    scale();
    let run = 0;
    document.getElementById('replay')?.addEventListener('click', () => {
      run++;
      sides.forEach((s) => ((s.pagelets = {}), (s.page = {})));
      loadStart = performance.now();
      for (const f of frames()) {
        const url = new URL(f.src);
        url.searchParams.set('run', run);
        f.src = url.href;
      }
      schedule();
    });
    schedule();
  });
})();
