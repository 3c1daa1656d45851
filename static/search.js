// The search page (layouts/search.html): Pagefind's JS API behind a plain form.
//
// The form's fields are the search: the query, the filters and the sort. They are read from the URL
// on load and on back/forward, and written to it on every change, so a search can be shared and
// bookmarked. With no query typed, the filters and sort alone browse every project. Several values of
// one filter combine with OR, different filters with AND, and each filter's counts leave out its own
// selection, so ticking "Data" still shows how many "Research" would add.
//
// The index comes in parts (site_builder/search_parts.py): the open bundle (open projects and those
// closed this month) and an archive bundle per month. A search for open projects reads the open bundle
// alone; one that asks for closed projects reads every bundle, merged by Pagefind's mergeIndex, which
// sums the filter counts but orders merged results by score: this page puts them back in the sort's
// order with each bundle's sort keys.

const form = document.getElementById("search");
const queryInput = document.getElementById("search-q");
const sortSelect = document.getElementById("search-sort");
const resultList = document.getElementById("search-results");
const summary = document.getElementById("search-summary");
const moreButton = document.getElementById("search-more");
const cardTemplate = document.getElementById("search-card");
const facets = [...form.querySelectorAll("fieldset[data-facet]")];

const filterPanel = document.getElementById("search-filters");
// The page's words, in the board's language: written by the build from its catalog (site_builder/i18n.py).
const STRINGS = JSON.parse(document.getElementById("search-strings").textContent);
const pluralRules = new Intl.PluralRules(document.documentElement.lang || "en");
const filterCount = document.getElementById("search-filter-count");

const PAGE_SIZE = 10;
const NARROW_SCREEN = "(max-width: 52rem)"; // as in search.css: below it, filters fold above the results
const LISTED_VALUES = 8; // values of a long filter (skills, companies) shown before "Show all"
const TYPING_PAUSE_MS = 250;
const SORTS = { newest: { posted: "desc" }, deadline: { deadline: "asc" }, pay: { pay: "desc" }, pay_hour: { pay_hour: "desc" } };
const ANY_STATUS = "all"; // the status choice that filters nothing

let pagefind = null; // the open bundle
let everything = null; // a promise of every bundle merged, made on the first search for closed projects
let parts = null; // a promise of the archive months -> project counts
let sortKeys = null; // a promise of page id -> sort keys over every bundle, fetched on the first merged sort
let searched = null; // the index the last search read: pagefind or every bundle merged
let indexValues = {}; // filter -> value -> count over the index searched
const listedSelection = new Map(); // long filter -> Set of ticked values, some perhaps not on screen
const expanded = new Set(); // long filters showing every value
let chosenSort = null; // the sort the visitor picked, or null for the default
let results = [];
let shown = PAGE_SIZE;
let generation = 0; // bumped by every search, so a slow one never overwrites a newer one
let typingTimer = 0;
let typingEntry = false; // the current history entry is a query being typed

// A value of one of the page's own tables, never one inherited from Object.prototype: a name in the URL
// (?sort=constructor) or a value in the index (a skill called "__proto__") is data, not a property name.
const own = (table, key) => (Object.hasOwn(table, key) ? table[key] : undefined);
const nameOf = (fieldset) => fieldset.dataset.facet;
const isSingle = (fieldset) => fieldset.hasAttribute("data-single");
const isListed = (fieldset) => fieldset.hasAttribute("data-listed");
const isMenu = (fieldset) => fieldset.hasAttribute("data-menu");
const firstChoice = (fieldset) => fieldset.querySelector("input")?.value;
const query = () => queryInput.value.trim();
const defaultSort = (text) => (text ? "relevance" : "newest");
const effectiveSort = () => (chosenSort === "relevance" && !query() ? "newest" : chosenSort ?? defaultSort(query()));

// The selection of every filter: name -> values that must match (any of them); [] filters nothing.
function selection() {
  const selected = {};
  for (const fieldset of facets) {
    const name = nameOf(fieldset);
    if (isListed(fieldset)) {
      selected[name] = [...(listedSelection.get(name) ?? [])];
    } else if (isMenu(fieldset)) {
      const value = fieldset.querySelector("select").value;
      selected[name] = value ? [value] : [];
    } else {
      const values = [...fieldset.querySelectorAll("input:checked")].map((input) => input.value);
      selected[name] = values.filter((value) => value !== ANY_STATUS);
    }
  }
  return selected;
}

function paramsFromForm() {
  const params = new URLSearchParams();
  if (query()) params.set("q", query());
  const selected = selection();
  for (const fieldset of facets) {
    const name = nameOf(fieldset);
    if (isMenu(fieldset)) {
      const value = fieldset.querySelector("select").value;
      if (value) params.set(name, value);
    } else if (isSingle(fieldset)) {
      const value = fieldset.querySelector("input:checked")?.value;
      if (value && value !== firstChoice(fieldset)) params.set(name, value);
    } else {
      for (const value of selected[name]) params.append(name, value);
    }
  }
  if (chosenSort && chosenSort !== defaultSort(query())) params.set("sort", chosenSort);
  return params;
}

function formFromParams(params) {
  queryInput.value = params.get("q") ?? "";
  for (const fieldset of facets) {
    const name = nameOf(fieldset);
    const values = params.getAll(name);
    if (isListed(fieldset)) {
      listedSelection.set(name, new Set(values));
    } else if (isMenu(fieldset)) {
      pickMenu(fieldset, values[0]);
    } else if (isSingle(fieldset)) {
      const wanted = fieldset.querySelector(`input[value="${CSS.escape(values[0] ?? "")}"]`);
      (wanted ?? fieldset.querySelector("input")).checked = true;
    } else {
      for (const input of fieldset.querySelectorAll("input")) input.checked = values.includes(input.value);
    }
  }
  const sort = params.get("sort");
  // Only a sort the page offers: the pay sorts are left out where pay in different currencies cannot be compared.
  const offered = [...sortSelect.options].some((option) => option.value === sort);
  chosenSort = offered && (sort === "relevance" || own(SORTS, sort)) ? sort : null;
}

// Only the open bundle for a search of open projects, else every bundle, merged.
async function indexFor(selected) {
  const openOnly = selected.status.length === 1 && selected.status[0] === "open";
  if (openOnly) return { index: pagefind, all: false };
  everything ??= mergeBundles();
  return { index: await everything, all: true };
}

// The archive months and their project counts, from the open bundle's parts.json (fetched once).
function archiveParts() {
  parts ??= fetch(`${form.dataset.searchBundle}parts.json`).then((response) => response.json()).then((found) => found.archive);
  return parts;
}

// The folders of every bundle, the open one first.
async function bundleFolders() {
  const bundle = form.dataset.searchBundle;
  return [bundle, ...Object.keys(await archiveParts()).map((month) => `${bundle}archive/${month}/`)];
}

// The open bundle counts only the closed projects it holds. With no words and no filter but the
// status, the archive's count is all its projects; otherwise it is unknown (null) until a search
// reads every bundle.
async function withArchiveCounts(counts, text, inUse) {
  const archived = Object.values(await archiveParts()).reduce((sum, n) => sum + n, 0);
  const status = { ...(counts.status ?? {}) };
  if (!text && inUse.every((name) => name === "status")) status.closed = (status.closed ?? 0) + archived;
  else if (archived) status.closed = null;
  return { ...counts, status };
}

async function mergeBundles() {
  const [open, ...archive] = await bundleFolders();
  const index = pagefind.createInstance({ basePath: open, baseUrl: "/" });
  await index.options({ baseUrl: "/" });
  await Promise.all(archive.map((folder) => index.mergeIndex(folder, { baseUrl: "/" })));
  return index;
}

// Every bundle's page id -> sort keys, to order merged results (fetched once, when first needed).
async function loadSortKeys() {
  const tables = await Promise.all((await bundleFolders()).map(async (folder) => (await fetch(`${folder}sort-keys.json`)).json()));
  return Object.assign({}, ...tables);
}

// Merged results in the order one bundle would give: by the sort key (amounts as numbers, dates as
// ISO text), then by score.
async function inSortOrder(found, sortKey) {
  const [[key, direction]] = Object.entries(own(SORTS, sortKey));
  sortKeys ??= loadSortKeys();
  const keys = await sortKeys;
  const value = (result) => own(keys, result.id)?.[key] ?? "";
  const numeric = (text) => text !== "" && !Number.isNaN(Number(text)); // as Pagefind: numbers as numbers, dates as text
  const compare = (a, b) => (numeric(a) && numeric(b) ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0);
  const sign = direction === "desc" ? -1 : 1;
  return [...found].sort((a, b) => sign * compare(value(a), value(b)) || b.score - a.score);
}

function pagefindFilters(selected, without = null) {
  const filters = {};
  for (const [name, values] of Object.entries(selected)) {
    if (name !== without && values.length) filters[name] = { any: values };
  }
  return filters;
}

async function runSearch({ keepShown = false, scrollTo = null } = {}) {
  const ticket = ++generation;
  resultList.setAttribute("aria-busy", "true");
  const text = query() || null;
  const selected = selection();
  const sortKey = effectiveSort();
  sortSelect.value = sortKey;
  sortSelect.querySelector('option[value="relevance"]').disabled = !text;
  // With no query, search for the word every project carries (see BROWSE_WORD in facets.py).
  const term = text ?? form.dataset.browseWord;
  const { index, all } = await indexFor(selected);
  if (ticket !== generation) return;
  if (index !== searched) indexValues = await index.filters();
  searched = index;
  const search = await index.search(term, { filters: pagefindFilters(selected), sort: own(SORTS, sortKey) ?? {} });
  if (!search || ticket !== generation) return;
  // A filter's counts come from the same search without that filter's own selection: when it is the
  // only filter in use, that is the query's own counts; otherwise one more search (on 10,000 briefs,
  // each costs a second or so on a slow machine, so the common case avoids it).
  let counts = { ...search.filters };
  const inUse = Object.keys(selected).filter((name) => selected[name].length);
  if (inUse.length === 1) counts[inUse[0]] = own(search.totalFilters, inUse[0]) ?? {};
  else await Promise.all(inUse.map(async (name) => {
    const others = await index.search(term, { filters: pagefindFilters(selected, name) });
    counts[name] = own(others.filters, name) ?? {};
  }));
  if (!all) counts = await withArchiveCounts(counts, text, inUse);
  if (ticket !== generation) return;
  results = all && own(SORTS, sortKey) ? await inSortOrder(search.results, sortKey) : search.results;
  if (ticket !== generation) return;
  if (!keepShown) shown = PAGE_SIZE;
  const cards = await loadCards(0, shown, text);
  if (ticket !== generation) return;
  resultList.replaceChildren(...cards);
  showCounts(counts);
  showSummary(text, selected);
  const active = [...paramsFromForm().keys()].filter((name) => name !== "q" && name !== "sort").length;
  filterCount.textContent = active ? plural("active", active) : "";
  resultList.removeAttribute("aria-busy");
  if (scrollTo !== null) window.scrollTo(0, scrollTo);
}

async function loadCards(from, to, text) {
  const data = await Promise.all(results.slice(from, to).map((result) => result.data()));
  return data.map((result) => card(result, text));
}

function card(result, text) {
  const meta = result.meta;
  const node = cardTemplate.content.firstElementChild.cloneNode(true);
  const slot = (name) => node.querySelector(`[data-slot="${name}"]`);
  if (meta.badge === "closed") node.classList.add("card-closed");
  const logo = node.querySelector(".logo");
  if (meta.logo) {
    const src = new TextDecoder().decode(Uint8Array.from(meta.logo.match(/../g), (hex) => parseInt(hex, 16)));
    logo.replaceWith(Object.assign(new Image(48, 48), { className: "logo", alt: "", src }));
  } else {
    logo.textContent = (meta.company ?? "").slice(0, 1).toUpperCase();
  }
  Object.assign(slot("title"), { href: result.url, textContent: meta.title });
  Object.assign(slot("company"), { href: `${form.dataset.companyPath}${meta.company_slug}/`, textContent: meta.company });
  for (const badge of node.querySelectorAll(".badge")) {
    if (!meta.badge || !badge.classList.contains(`badge-${meta.badge}`)) badge.remove();
  }
  for (const name of ["pay", "hours", "where", "deadline"]) slot(name).textContent = meta[name] ?? "";
  // Pagefind escapes the page's text in an excerpt before it adds <mark>, so it is safe as HTML.
  if (text && result.excerpt) slot("summary").innerHTML = result.excerpt;
  else slot("summary").textContent = meta.summary ?? "";
  const skillItem = slot("skill").parentElement;
  const skills = JSON.parse(meta.skills || "[]");
  for (const [name, slug] of skills) {
    const item = skillItem.cloneNode(true);
    Object.assign(item.querySelector("a"), { href: `${form.dataset.skillPath}${slug}/`, textContent: name });
    skillItem.parentElement.append(item);
  }
  if (skills.length) skillItem.remove();
  else skillItem.parentElement.remove();
  return node;
}

function showCounts(counts) {
  for (const fieldset of facets) {
    const name = nameOf(fieldset);
    const valueCounts = own(counts, name) ?? {};
    if (isListed(fieldset)) {
      showListedValues(fieldset, valueCounts);
      continue;
    }
    if (isMenu(fieldset)) {
      showMenuCounts(fieldset, valueCounts);
      continue;
    }
    for (const input of fieldset.querySelectorAll("input")) {
      if (name === "status" && input.value !== "open" && valueCounts.closed === null) {
        input.closest("label").querySelector(".facet-count").textContent = ""; // not known from the open bundle
        continue;
      }
      const count = input.value === ANY_STATUS
        ? Object.values(valueCounts).reduce((sum, n) => sum + n, 0)
        : own(valueCounts, input.value) ?? 0;
      input.closest("label").querySelector(".facet-count").textContent = `(${count})`;
    }
  }
}

// A long filter lists the values the results have, most used first, and the ticked ones; it shows the
// first few unless expanded. Ticking one of its values leaves its own counts, and so its order, as they
// were, and its checkboxes are kept across updates, so keyboard focus stays where it was.
function showListedValues(fieldset, valueCounts) {
  const name = nameOf(fieldset);
  const ticked = listedSelection.get(name) ?? new Set();
  const count = (value) => own(valueCounts, value) ?? 0;
  const available = [...new Set([...ticked, ...Object.keys(own(indexValues, name) ?? {})])]
    .filter((value) => ticked.has(value) || count(value) > 0)
    .sort((a, b) => count(b) - count(a) || a.localeCompare(b));
  const visible = expanded.has(name) ? available : available.filter((value, i) => i < LISTED_VALUES || ticked.has(value));
  const list = fieldset.querySelector(".facet-values");
  const items = new Map([...list.children].map((item) => [item.dataset.value, item]));
  const focused = document.activeElement;
  list.replaceChildren(...visible.map((value) => {
    const item = items.get(value) ?? listedItem(name, value);
    item.querySelector("input").checked = ticked.has(value);
    item.querySelector(".facet-count").textContent = `(${count(value)})`;
    return item;
  }));
  if (focused?.isConnected && document.activeElement !== focused) focused.focus();
  const moreValues = fieldset.querySelector(".facet-more");
  moreValues.hidden = available.length <= LISTED_VALUES;
  moreValues.setAttribute("aria-expanded", String(expanded.has(name)));
  moreValues.textContent = expanded.has(name) ? words("show_fewer") : plural("show_all", available.length);
  fieldset.hidden = available.length === 0;
}

function listedItem(name, value) {
  const item = document.createElement("li");
  item.dataset.value = value;
  const label = document.createElement("label");
  const input = Object.assign(document.createElement("input"), { type: "checkbox", name, value });
  const text = Object.assign(document.createElement("span"), { className: "facet-label", textContent: value });
  const count = Object.assign(document.createElement("span"), { className: "facet-count" });
  label.append(input, " ", text, " ", count);
  item.append(label);
  return item;
}

// --- A drop-down filter ("I can apply from"): one value among many, remembered in this browser ------------
// Its values are the page's own options; a URL or the stored value that is not one of them picks none.
// The visitor's choice is kept in localStorage and chosen again on a later visit whose URL names none;
// nothing guesses it (no IP lookup, no browser language).

const REMEMBERED = (name) => `microboard.search.${name}`;

function pickMenu(fieldset, value) {
  const select = fieldset.querySelector("select");
  const known = [...select.options].some((option) => option.value === value);
  select.value = known ? value : "";
  return known;
}

function showMenuCounts(fieldset, valueCounts) {
  for (const option of fieldset.querySelector("select").options) {
    const label = option.dataset.label;
    if (!option.value) option.textContent = label;
    else option.textContent = `${label} (${own(valueCounts, option.value) ?? 0})`;
  }
}

function remember(fieldset) {
  const value = fieldset.querySelector("select").value;
  try {
    if (value) localStorage.setItem(REMEMBERED(nameOf(fieldset)), value);
    else localStorage.removeItem(REMEMBERED(nameOf(fieldset)));
  } catch {
    // Storage may be off in this browser: the choice then lasts as long as the page's URL.
  }
}

// On a visit whose URL names no value for a drop-down filter, choose the one remembered, if any.
function recallMenus(params) {
  let recalled = false;
  for (const fieldset of facets.filter(isMenu)) {
    if (params.has(nameOf(fieldset))) continue;
    let value = null;
    try {
      value = localStorage.getItem(REMEMBERED(nameOf(fieldset)));
    } catch {
      continue;
    }
    if (value && pickMenu(fieldset, value)) recalled = true;
  }
  if (recalled) history.replaceState(history.state, "", `?${paramsFromForm()}`);
}

// ---------------------------------------------------------------------------------------------------------

function showSummary(text, selected, shownNow = resultList.children.length) {
  const total = results.length;
  const status = selected.status.length === 1 ? selected.status[0] : ANY_STATUS;
  let message = total ? plural(`projects_${status}`, total) : words(`no_projects_${status}`);
  if (text) message = words("match", { projects: message, text });
  if (!total) message = words("try_other_words", { message });
  else if (shownNow < total) message = words("showing", { message, shown: shownNow });
  summary.textContent = message;
  moreButton.hidden = shownNow >= total;
}

// A message of the page's catalog, with its %(name)s / %(name)d placeholders filled in.
function words(key, values = {}) {
  return STRINGS[key].replace(/%\((\w+)\)[sd]/g, (match, name) => String(values[name] ?? match));
}

// A plural message in the form the language uses for `count` ("1 project", "5 projects").
function plural(key, count) {
  const forms = STRINGS[key];
  return (forms[pluralRules.select(count)] ?? forms.other).replace(/%\(num\)d/g, String(count));
}

// Every change makes a history entry, except that a query being typed updates its own entry.
function commit({ typing = false } = {}) {
  const params = paramsFromForm().toString();
  const url = params ? `?${params}` : location.pathname;
  if (params !== location.search.slice(1)) {
    rememberPlace();
    const entry = { shown: PAGE_SIZE, scrollY: 0 };
    if (typing && typingEntry) history.replaceState(entry, "", url);
    else history.pushState(entry, "", url);
  }
  typingEntry = typing;
  runSearch();
}

// Keep how many results are loaded and where the page was scrolled in the history entry, so Back
// (from a project page, or to an earlier search) returns to the same place.
function rememberPlace() {
  history.replaceState({ shown, scrollY: window.scrollY }, "");
}

function listen() {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(typingTimer);
    commit();
  });
  queryInput.addEventListener("input", () => {
    (searched ?? pagefind).preload(query());
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => commit({ typing: true }), TYPING_PAUSE_MS);
  });
  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target === queryInput) return;
    if (target === sortSelect) {
      chosenSort = target.value === defaultSort(query()) ? null : target.value;
    } else if (isMenu(target.closest("fieldset"))) {
      remember(target.closest("fieldset"));
    } else if (isListed(target.closest("fieldset"))) {
      const ticked = listedSelection.get(target.name) ?? new Set();
      if (target.checked) ticked.add(target.value);
      else ticked.delete(target.value);
      listedSelection.set(target.name, ticked);
    }
    commit();
  });
  form.addEventListener("click", (event) => {
    const toggle = event.target.closest(".facet-more");
    if (!toggle) return;
    const name = nameOf(toggle.closest("fieldset"));
    if (expanded.has(name)) expanded.delete(name);
    else expanded.add(name);
    runSearch({ keepShown: true });
  });
  document.getElementById("search-reset").addEventListener("click", () => {
    formFromParams(new URLSearchParams());
    facets.filter(isMenu).forEach(remember);
    commit();
    queryInput.focus();
  });
  moreButton.addEventListener("click", async () => {
    const ticket = generation;
    const from = resultList.children.length;
    shown = from + PAGE_SIZE;
    resultList.setAttribute("aria-busy", "true");
    // Make room for the coming cards at once, as tall as the shown ones on average, and say how many
    // will show, so nothing in view jumps when they arrive (the summary may take a line less).
    const coming = Math.min(shown, results.length) - from;
    resultList.style.minHeight = `${resultList.offsetHeight * (1 + coming / from)}px`;
    showSummary(query() || null, selection(), from + coming);
    const cards = await loadCards(from, shown, query() || null);
    if (ticket !== generation) return;
    resultList.append(...cards);
    resultList.style.minHeight = "";
    resultList.removeAttribute("aria-busy");
    showSummary(query() || null, selection());
    rememberPlace();
    cards[0]?.querySelector(".card-title a")?.focus();
  });
  window.addEventListener("popstate", () => {
    formFromParams(new URLSearchParams(location.search));
    typingEntry = false;
    shown = history.state?.shown ?? PAGE_SIZE;
    runSearch({ keepShown: true, scrollTo: history.state?.scrollY ?? 0 });
  });
  window.addEventListener("pagehide", rememberPlace);
}

async function start() {
  history.scrollRestoration = "manual";
  formFromParams(new URLSearchParams(location.search));
  recallMenus(new URLSearchParams(location.search));
  const bundle = form.dataset.searchBundle;
  try {
    pagefind = await import(`${bundle}pagefind.js`);
    // Result URLs in the index already carry the board's base path.
    await pagefind.options({ bundlePath: bundle, baseUrl: "/" });
    indexValues = await pagefind.filters();
    searched = pagefind;
  } catch {
    document.getElementById("search-ui").remove();
    form.classList.add("search-off");
    document.getElementById("search-unavailable").hidden = false;
    return;
  }
  document.getElementById("search-ui").hidden = false;
  if (window.matchMedia(NARROW_SCREEN).matches) filterPanel.open = false;
  listen();
  shown = history.state?.shown ?? PAGE_SIZE;
  await runSearch({ keepShown: true, scrollTo: history.state?.scrollY ?? null });
}

start();
