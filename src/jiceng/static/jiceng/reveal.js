// Edit forms show personal data masked (docs/decisions/022). For roles that may reveal it, the "reveal" button
// fetches the full values from the audited reveal action and puts them into the form's fields.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-reveal-url]");
  if (!button) return;
  event.preventDefault();
  const form = button.form || document;
  const token = form.querySelector("input[name=csrfmiddlewaretoken]");
  const response = await fetch(button.dataset.revealUrl, {
    method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token ? token.value : ""},
  });
  if (!response.ok) return;
  const values = await response.json();
  for (const [name, value] of Object.entries(values)) {
    const input = form.querySelector(`[name="${name}"]`);
    if (input) input.value = value;
  }
  button.disabled = true;
});
