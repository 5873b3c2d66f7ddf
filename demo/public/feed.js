// The feed's behaviour: like buttons. Each feed chunk calls Feed.init on its own element.
window.Feed ||= {
  init(root) {
    UI.on(root, 'click', '.like', (event, button) => {
      const liked = button.classList.toggle('liked');
      button.textContent = 'Like · ' + (Number(button.dataset.count) + (liked ? 1 : 0));
    });
  },
};
