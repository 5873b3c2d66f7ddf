// Shared UI helpers used by several pagelets. The runtime loads it once per page; in no-JS/inline mode each
// pagelet that lists it has its own <script src>, so it must be safe to run twice.
window.UI ||= {
  /** Calls fn(event, element) for `type` events on elements matching `selector` inside root. */
  on(root, type, selector, fn) {
    root.addEventListener(type, (event) => {
      const element = event.target.closest(selector);
      if (element && root.contains(element)) fn(event, element);
    });
  },
  /** A button that opens and closes the menu next to it. */
  menu(root) {
    const menu = root.querySelector('.menu');
    UI.on(root, 'click', '.me-button', () => (menu.hidden = !menu.hidden));
    document.addEventListener('click', (event) => root.contains(event.target) || (menu.hidden = true));
  },
  /** A "Show more" button that reveals a list's extra items. */
  collapsible(root) {
    UI.on(root, 'click', '.toggle', (_event, button) => {
      const open = root.querySelector('ol,ul').classList.toggle('open');
      button.textContent = open ? 'Show less' : 'Show more';
    });
  },
};
