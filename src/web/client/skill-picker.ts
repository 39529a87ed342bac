// The skill picker island: turns the server-rendered skill search (see src/web/pages/skills-picker.ts) into an
// accessible combobox with typeahead (WAI-ARIA combobox pattern with a listbox popup). Without this script the
// server-rendered form and result list still work.

interface Result {
  id: string;
  label: string;
  labelLanguage: string;
  kind: string;
  framework: { shortTitle: string };
  levels: { id: string; name: string }[];
  matched: string | null;
  via: { label: string } | null;
}

const DEBOUNCE_MS = 120;
let pickerCount = 0;

function text(root: HTMLElement, key: string, values: Record<string, string | number> = {}): string {
  const template = root.dataset[key] ?? '';
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
}

function countText(root: HTMLElement, language: string, count: number): string {
  const form = new Intl.PluralRules(language).select(count);
  const key = `textCount${form.charAt(0).toUpperCase()}${form.slice(1)}`;
  return text(root, key in root.dataset ? key : 'textCountOther', { count });
}

function enhance(root: HTMLElement): void {
  const found = root.querySelector<HTMLInputElement>('input[type="search"]');
  if (!found) return;
  const input: HTMLInputElement = found;
  const index = ++pickerCount;
  const mode = root.dataset.mode === 'select' ? 'select' : 'navigate';
  const language = root.dataset.language ?? document.documentElement.lang ?? 'en';
  const searchUrl = root.dataset.searchUrl ?? '';
  const pageBase = root.dataset.pageBase ?? '';
  const name = root.dataset.name ?? 'skills';

  const listbox = document.createElement('ul');
  listbox.id = `skill-picker-${index}-listbox`;
  listbox.className = 'skill-listbox';
  listbox.setAttribute('role', 'listbox');
  listbox.setAttribute('aria-label', root.querySelector('label')?.textContent ?? '');
  listbox.hidden = true;
  const status = document.createElement('p');
  status.className = 'visually-hidden';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  input.closest('.skill-picker-field')?.after(listbox, status);

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', listbox.id);

  let results: Result[] = [];
  let active = -1;
  let timer: number | undefined;
  let controller: AbortController | undefined;

  const close = () => {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };

  const setActive = (next: number) => {
    const options = listbox.querySelectorAll<HTMLElement>('[role="option"]');
    if (options.length === 0) return;
    active = (next + options.length) % options.length;
    options.forEach((option, i) => {
      option.setAttribute('aria-selected', String(i === active));
    });
    const current = options[active] as HTMLElement;
    input.setAttribute('aria-activedescendant', current.id);
    current.scrollIntoView({ block: 'nearest' });
  };

  const render = () => {
    listbox.replaceChildren(
      ...results.map((result, i) => {
        const option = document.createElement('li');
        option.id = `${listbox.id}-${i}`;
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        option.dataset.skillId = result.id;
        const label = document.createElement('span');
        label.className = 'skill-option-label';
        label.textContent = result.label;
        if (result.labelLanguage !== language) label.lang = result.labelLanguage;
        const tag = document.createElement('span');
        tag.className = 'skill-tag';
        tag.textContent = result.framework.shortTitle;
        option.append(label, ' ', tag);
        const note = result.via ? result.via.label : result.matched;
        if (note) {
          const small = document.createElement('span');
          small.className = 'skill-note';
          small.textContent = result.via ? `→ ${result.via.label}` : text(root, 'textMatched', { label: note });
          option.append(' ', small);
        }
        option.addEventListener('mousedown', (event) => event.preventDefault());
        option.addEventListener('click', () => choose(i));
        return option;
      }),
    );
    const open = results.length > 0;
    listbox.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    active = -1;
    input.removeAttribute('aria-activedescendant');
    status.textContent =
      results.length === 0
        ? text(root, 'textNone', { query: input.value.trim() })
        : countText(root, language, results.length);
  };

  const search = async () => {
    const query = input.value.trim();
    controller?.abort();
    if (query.length < 2) {
      results = [];
      close();
      status.textContent = '';
      return;
    }
    controller = new AbortController();
    status.textContent = text(root, 'textLoading');
    try {
      const url = `${searchUrl}?${new URLSearchParams({ q: query, lang: language, limit: '10' })}`;
      const response = await fetch(url, { signal: controller.signal, headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(String(response.status));
      results = ((await response.json()) as { items: Result[] }).items;
      render();
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      results = [];
      close();
      status.textContent = text(root, 'textFailed');
    }
  };

  const addChip = (result: Result) => {
    const chips = root.querySelector<HTMLElement>('[data-skill-chips]');
    if (!chips || chips.querySelector(`[data-skill-id="${CSS.escape(result.id)}"]`)) return;
    const chip = document.createElement('li');
    chip.className = 'skill-chip';
    chip.dataset.skillId = result.id;
    const hidden = document.createElement('input');
    hidden.type = 'hidden';
    hidden.name = name;
    hidden.value = result.id;
    const label = document.createElement('span');
    label.textContent = result.label;
    if (result.labelLanguage !== language) label.lang = result.labelLanguage;
    const tag = document.createElement('span');
    tag.className = 'skill-tag';
    tag.textContent = result.framework.shortTitle;
    chip.append(hidden, label, ' ', tag);
    if (result.levels.length > 0) {
      const select = document.createElement('select');
      select.name = `${name}Level[${result.id}]`;
      select.setAttribute('aria-label', text(root, 'textLevel', { label: result.label }));
      select.append(new Option(text(root, 'textAnyLevel'), ''));
      for (const level of result.levels) select.append(new Option(level.name, level.id));
      chip.append(' ', select);
    }
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'link-button';
    remove.dataset.remove = '';
    remove.setAttribute('aria-label', text(root, 'textRemove', { label: result.label }));
    remove.textContent = '×';
    chip.append(' ', remove);
    chips.append(chip);
  };

  function choose(i: number) {
    const result = results[i];
    if (!result) return;
    if (mode === 'navigate') {
      window.location.assign(`${pageBase}${encodeURIComponent(result.id)}`);
      return;
    }
    addChip(result);
    input.value = '';
    results = [];
    close();
    input.focus();
  }

  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void search(), DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (listbox.hidden && results.length > 0) render();
      setActive(active + 1);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive(active - 1);
    } else if (event.key === 'Enter' && active >= 0 && !listbox.hidden) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape') {
      if (!listbox.hidden) {
        event.preventDefault();
        close();
      } else {
        input.value = '';
      }
    }
  });
  input.addEventListener('blur', () => window.setTimeout(close, 150));
  root.addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('[data-remove]');
    if (!button) return;
    button.closest('.skill-chip')?.remove();
    input.focus();
  });
}

for (const root of document.querySelectorAll<HTMLElement>('[data-skill-picker]')) enhance(root);
