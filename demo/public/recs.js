// Recommendations: add or dismiss a person.
window.Recs ||= {
  init(root) {
    UI.on(root, 'click', '.add', (event, button) => {
      button.classList.add('added');
      button.textContent = 'Sent';
    });
    UI.on(root, 'click', '.dismiss', (event, button) => button.closest('li').remove());
  },
};
