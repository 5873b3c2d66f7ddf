// Recommendations: add or dismiss a person.
window.Recs ||= {
  init(root) {
    UI.on(root, 'click', '.add', (_event, button) => {
      button.classList.add('added');
      button.textContent = 'Sent';
    });
    UI.on(root, 'click', '.dismiss', (_event, button) => button.closest('li').remove());
  },
};
