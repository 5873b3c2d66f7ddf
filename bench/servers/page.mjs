// The benchmark page: 10 pagelets of list markup (~600 bytes each) sharing one stylesheet.
export const COUNT = 10;
export const ids = Array.from({ length: COUNT }, (_, i) => `p${i}`);
export const HEAD = '<title>bench</title>';
export const intro = '<header><h1>Benchmark page</h1><p>Ten pagelets follow.</p></header>';
export const STYLESHEET = '/s/box.css';

/** The data of pagelet i: what a backend would answer. */
export const data = (i) => ({
  title: `Pagelet ${i}`,
  items: Array.from({ length: 6 }, (_, k) => ({
    href: `/item/${i}-${k}`,
    label: `Item ${i}.${k}`,
    comments: `${(k + 1) * 3} comments`,
  })),
});

/** Pagelet i rendered as HTML, the way a bigpipe-js render function builds it: a template per request. */
export const render = (i) => {
  const { title, items } = data(i);
  return {
    html: `<section class="box"><h2>${title}</h2><ul>${items.map((it) => `<li><a href="${it.href}">${it.label}</a> <small>${it.comments}</small></li>`).join('')}</ul></section>`,
    css_links: [STYLESHEET],
  };
};
