// Progressive enhancement for server-rendered pages: everything works without this script.

document.documentElement.classList.add('js');

// Forms and buttons that destroy something ask first: <form data-confirm="Delete this activity?">.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
