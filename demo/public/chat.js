// The chat dock: opens and closes; the unread badge clears when opened.
window.Chat ||= {
  init(root) {
    const list = root.querySelector('.chat-list');
    UI.on(root, 'click', '.chat-title', () => {
      list.hidden = !list.hidden;
      root.querySelector('.badge')?.remove();
    });
  },
};
