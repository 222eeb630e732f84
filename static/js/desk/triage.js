// Triage in minutes: accept or reject all suggested mentions of one entity at once (from its row,
// with a count), or all suggestions at or above a confidence (counted before confirming), and step through the open items with [ and ] (or the buttons), each one scrolled
// into view and highlighted in the text.

import {t} from "./strings.js";
import {send} from "./net.js";
import {$, desk, perms, state, story} from "./state.js";
import {afterRender, isOpenWork, message} from "./render.js";
import {openItem} from "./form.js";
import {refresh} from "./refresh.js";

function mentionGroups() {
  const groups = new Map();
  state.items.filter((i) => i.type === "mention" && i.status === "suggested" && i.entity).forEach((i) => {
    const g = groups.get(i.entity.id) || {entity: i.entity, items: []};
    g.items.push(i);
    groups.set(i.entity.id, g);
  });
  return Array.from(groups.values()).sort((a, b) => b.items.length - a.items.length ||
    a.entity.name.localeCompare(b.entity.name));
}

function groupButton(label, op, group) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "button" + (op === "accept" ? " default" : "");
  b.textContent = label;
  b.dataset.groupOp = op;
  b.dataset.entity = group.entity.slug;
  b.addEventListener("click", () => reviewGroup(op, group, b));
  return b;
}

export function renderEntityGroups() {
  const box = $("desk-entity-groups"), rows = $("desk-entity-rows");
  if (!box) { return; }
  const groups = mentionGroups();
  rows.textContent = "";
  box.hidden = !groups.length;
  groups.forEach((g) => {
    const tr = document.createElement("tr");
    tr.dataset.entity = g.entity.slug;
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = g.entity.name;
    const count = document.createElement("td");
    count.className = "desk-count";
    count.textContent = String(g.items.length);
    const actions = document.createElement("td");
    if (perms.review) {
      const n = g.items.length;
      actions.appendChild(groupButton(n > 1 ? t("accept_all", {n}) : t("accept_one"), "accept", g));
      actions.appendChild(groupButton(n > 1 ? t("reject_all", {n}) : t("reject_one"), "reject", g));
    }
    tr.append(name, count, actions);
    rows.appendChild(tr);
  });
}

function reviewGroup(op, group, button) {
  const question = t("group_confirm_" + op, {n: group.items.length, name: group.entity.name});
  if (!window.confirm(question)) { return; }
  button.disabled = true;
  send(desk.urls.review, {story: desk.article.id, op, items: group.items.map((i) => [i.type, i.id, i.version])})
    .then((result) => {
      button.disabled = false;
      message(result.ok ? result.message : (result.error || t("not_done")), result.ok ? "ok" : "error");
      refresh();
    });
}

// --- all suggestions at or above a confidence -------------------------------------------------------

function threshold() {
  const raw = $("desk-confidence").value;
  const value = Number(raw);
  // Hundredths, as the server rounds it (forms.ConfidenceField): both then compare the same numbers.
  return raw.trim() !== "" && value >= 0 && value <= 1 ? Math.round(value * 100) / 100 : null;
}

function confident(min) {
  return state.items.filter((i) => (i.type === "quote" || i.type === "mention") && i.status === "suggested" &&
    i.confidence !== null && i.confidence !== undefined && i.confidence >= min);
}

export function renderConfident() {
  const box = $("desk-confident");
  if (!box) { return; }
  box.hidden = !state.items.some((i) => i.status === "suggested" && typeof i.confidence === "number");
  const min = threshold(), count = $("desk-confident-count");
  const accept = $("desk-confident-accept"), reject = $("desk-confident-reject");
  if (min === null) {
    count.textContent = t("confident_invalid");
    accept.disabled = reject.disabled = true;
    return;
  }
  const chosen = confident(min), n = chosen.length;
  count.textContent = t("confident_count", {n, threshold: min.toFixed(2),
    quotes: chosen.filter((i) => i.type === "quote").length,
    mentions: chosen.filter((i) => i.type === "mention").length});
  accept.textContent = t("accept_all", {n});
  reject.textContent = t("reject_all", {n});
  accept.hidden = reject.hidden = !perms.review;
  accept.disabled = reject.disabled = !n;
}

function reviewConfident(event) {
  const op = event.currentTarget.dataset.op, min = threshold();
  if (min === null) { return; }
  const chosen = confident(min);
  if (!chosen.length || !window.confirm(t("confident_confirm_" + op, {n: chosen.length, threshold: min.toFixed(2)}))) {
    return;
  }
  const button = event.currentTarget;
  button.disabled = true;
  send(desk.urls.review, {story: desk.article.id, op, confidence: min,
                          items: chosen.map((i) => [i.type, i.id, i.version])})
    .then((result) => {
      message(result.ok ? result.message : (result.error || t("not_done")), result.ok ? "ok" : "error");
      refresh();
    });
}

// --- stepping through open work ----------------------------------------------------------------

export function reveal(item) {
  // Scroll the text to the item and mark its words until the next item is revealed.
  Array.from(story.querySelectorAll(".desk-hl-current")).forEach((el) => el.classList.remove("desk-hl-current"));
  const ref = item.type + ":" + item.id;
  state.revealed = ref;
  const spans = Array.from(story.querySelectorAll(".desk-hl")).filter((el) =>
    (el.dataset.items || "").split(" ").includes(ref));
  spans.forEach((el) => el.classList.add("desk-hl-current"));
  if (spans.length) { spans[0].scrollIntoView({block: "center"}); }
}

let lastAt = -1;  // where in the open list the last step landed

function step(direction) {
  const open = state.items.filter(isOpenWork);
  if (!open.length) { message(t("nothing_open")); return; }
  const current = state.open && state.open.item;
  let at = current ? open.findIndex((i) => i.type === current.type && i.id === current.id) : -1;
  if (at < 0 && lastAt >= 0) {
    // The item is no longer open (just accepted, say): the next one has moved up into its place.
    at = direction > 0 ? lastAt - 1 : lastAt;
  }
  lastAt = (at + direction + open.length) % open.length;
  const next = open[lastAt];
  openItem(next);
  reveal(next);
}

// A checklist link (#open-<key>, articles/desk/checklist.py) opens its item, here or from another page.
export function openFromHash() {
  const hash = decodeURIComponent(window.location.hash || "");
  if (!hash.startsWith("#open-")) { return; }
  const key = hash.slice("#open-".length);
  const matches = state.items.filter((i) => i.key === key);
  const item = matches.find(isOpenWork) || matches[0];
  if (!item) { message(t("deleted_meanwhile"), "error"); return; }
  openItem(item);
  reveal(item);
}

export function installTriage() {
  window.addEventListener("hashchange", openFromHash);
  afterRender.push(renderEntityGroups, renderConfident);
  if ($("desk-confidence")) {
    $("desk-confidence").addEventListener("input", renderConfident);
    $("desk-confident-accept").addEventListener("click", reviewConfident);
    $("desk-confident-reject").addEventListener("click", reviewConfident);
  }
  $("desk-next-open").addEventListener("click", () => step(1));
  $("desk-prev-open").addEventListener("click", () => step(-1));
  document.addEventListener("keydown", (event) => {
    const t = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (t.closest && t.closest("input, textarea, select, [contenteditable=true]")) { return; }
    if (event.key === "]") { event.preventDefault(); step(1); }
    if (event.key === "[") { event.preventDefault(); step(-1); }
  });
}
