// The progress bar of a bulk issue: polls the batch's JSON status and updates the bar and its text (a live region),
// then reloads the page once the batch has finished so its final counts and report show. Without this script the
// page offers a refresh link.

interface BatchStatus {
  status: 'queued' | 'running' | 'completed' | 'failed';
  counts: { total: number; done: number };
}

const root = document.querySelector<HTMLElement>('[data-bulk-progress]');
const bar = document.querySelector<HTMLProgressElement>('#bulk-progress-bar');
const text = document.querySelector<HTMLElement>('#bulk-progress-text');

if (root && bar && text) {
  const url = root.dataset.bulkProgress as string;
  // The server's sentence with `{done}` and `{total}` in place of the numbers, in the page's language.
  const template = root.dataset.bulkText ?? '{done} / {total}';
  const lastDone = { value: Number(bar.value) };
  const refresh = root.querySelector<HTMLElement>('[data-bulk-refresh]');
  if (refresh) refresh.hidden = true;
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (!response.ok) throw new Error(String(response.status));
      const batch = (await response.json()) as BatchStatus;
      if (batch.status === 'completed' || batch.status === 'failed') {
        window.location.reload();
        return;
      }
      bar.max = batch.counts.total;
      bar.value = batch.counts.done;
      bar.textContent = `${batch.counts.done} / ${batch.counts.total}`;
      // The live region speaks only when the numbers change.
      if (batch.counts.done !== lastDone.value) {
        text.textContent = template
          .replace('{done}', String(batch.counts.done))
          .replace('{total}', String(batch.counts.total));
        lastDone.value = batch.counts.done;
      }
    } catch {
      if (refresh) refresh.hidden = false;
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 1500);
}
