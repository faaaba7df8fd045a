// Progressive enhancement only: every page works without this file.
// Copy buttons: <button type="button" class="copy" data-copy="ELEMENT_ID" hidden>Copy</button>
document.querySelectorAll('button[data-copy]').forEach((button) => {
  const target = document.getElementById(button.dataset.copy)
  if (!target || !navigator.clipboard) return
  const label = button.textContent
  button.hidden = false
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(target.value ?? target.textContent)
      button.textContent = 'Copied'
    } catch {
      button.textContent = 'Press Ctrl+C to copy'
      if (target.select) target.select()
    }
    setTimeout(() => { button.textContent = label }, 2000)
  })
})

// Forms that do something that cannot be undone ask first: <form data-confirm="Delete this consumer?">
document.querySelectorAll('form[data-confirm]').forEach((form) => {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault()
  })
})
