// The feed's behaviour: like buttons, delegated from #feed, so the chunks appended later need nothing more.
window.Feed ||= {
  init(root) {
    UI.on(root, 'click', '.like', (_event, button) => {
      const liked = button.classList.toggle('liked');
      button.textContent = 'Like · ' + (Number(button.dataset.count) + (liked ? 1 : 0));
    });
  },
};
