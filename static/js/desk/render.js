// Drawing the story: highlights over each paragraph, the list of open work, the checks.

import {t} from "./strings.js";
import {cps} from "./codepoints.js";
import {$, blocks, desk, state, story} from "./state.js";

function itemClasses(item) {
  let out = ["hl-" + (item.type === "annotation" ? item.kind : item.type)];
  if (item.status === "suggested") { out.push("hl-suggested"); }
  if (item.type === "annotation" && item.status === "open" && (item.kind === "flag" || item.kind === "repair")) {
    out.push("hl-open");
  }
  if (item.type === "quote" && (item.status === "verified" || item.status === "disputed")) { out.push("hl-" + item.status); }
  if (item.type === "annotation" && item.status === "resolved") { out.push("hl-resolved"); }
  if (item.type === "pending") { out = ["hl-pending"]; }
  return out;
}

function itemTitle(item) {
  if (item.type === "pending") { return item.label; }
  const bits = [item.type === "annotation" ? item.kind : item.type, item.label, "(" + item.status + ")"];
  if (item.type === "annotation" && item.body) { bits.push(item.body.slice(0, 80)); }
  return bits.join(" ");
}

export function paraOf(key) { return story.querySelector('[data-block="' + CSS.escape(key) + '"]'); }

export function renderBlock(key) {
  const el = paraOf(key), block = blocks.get(key);
  if (!el || !block) { return; }
  const chars = cps(block.text), n = chars.length;
  let mine = state.items.filter((i) => i.block === key);
  const open = state.open;
  if (open && open.mode === "create" && open.anchor.block === key) {
    // The words a new annotation is being made for stay marked while the form has the focus.
    mine = mine.concat([{type: "pending", id: 0, block: key, start: open.anchor.start, end: open.anchor.end,
      label: t("pending", {type: open.type}), status: "", exact: open.anchor.exact}]);
  }
  const bounds = new Set([0, n]);
  mine.forEach((i) => { bounds.add(Math.min(i.start, n)); bounds.add(Math.min(i.end, n)); });
  const sorted = Array.from(bounds).sort((a, b) => a - b);
  const frag = document.createDocumentFragment();
  for (let j = 0; j < sorted.length - 1; j++) {
    const a = sorted[j], b = sorted[j + 1], text = chars.slice(a, b).join("");
    const covering = mine.filter((i) => i.start <= a && b <= i.end);
    if (!covering.length) { frag.appendChild(document.createTextNode(text)); continue; }
    const span = document.createElement("span");
    let classes = ["desk-hl"];
    covering.forEach((i) => { classes = classes.concat(itemClasses(i)); });
    span.className = classes.join(" ");
    const refs = covering.filter((i) => i.type !== "pending").map((i) => i.type + ":" + i.id);
    span.dataset.items = refs.join(" ");
    if (state.revealed && refs.includes(state.revealed)) { span.classList.add("desk-hl-current"); }
    span.title = covering.map(itemTitle).join("\n");
    span.textContent = text;
    frag.appendChild(span);
  }
  el.textContent = "";
  el.appendChild(frag);
}

export function renderAll() {
  blocks.forEach((b, key) => { if (b.kind === "paragraph") { renderBlock(key); } });
  renderOpenList();
}

export function findItem(type, id) {
  return state.items.find((i) => i.type === type && i.id === id);
}

export function itemsAt(key, cp) {
  return state.items.filter((i) => i.block === key && i.start <= cp && cp < i.end);
}

export function isOpenWork(i) {
  return ((i.type === "quote" || i.type === "mention") && i.status === "suggested") ||
    (i.type === "annotation" && i.status === "open" && (i.kind === "flag" || i.kind === "repair"));
}

// Other parts of the desk that draw from the items (the entity rows) register here.
export const afterRender = [];

export function renderOpenList() {
  afterRender.forEach((draw) => draw());
  const list = $("desk-open-list");
  list.textContent = "";
  const open = state.items.filter(isOpenWork);
  $("desk-open-none").hidden = open.length > 0;
  open.forEach((i) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "desk-linkish";
    button.dataset.open = i.type + ":" + i.id;
    button.textContent = (i.status === "suggested" ? t("suggested", {type: i.type}) : i.kind) + " · " + i.block + " «" +
      i.exact.slice(0, 24) + "»" + (i.type === "quote" && i.speaker ? " – " + i.speaker.name : "") +
      (i.type === "mention" && i.entity ? " – " + i.entity.name : "");
    li.appendChild(button);
    list.appendChild(li);
  });
}

// The checklist, grouped by kind as the server draws it (articles/desk/checklist.py): one <details>
// per kind with its count and a link to its first item; small groups open, long ones folded, and a
// group stays as open or closed as the editor left it when the list is redrawn.
const MENTION_KEY = /^m\d+$/;
const ISSUE_ORDER = ["headline", "flag", "repair", "speaker", "alt", "dek", "disputed", "role", "role_date",
  "suggestion:quote", "suggestion:mention"];
const OPEN_UP_TO = 3;
const foldedByEditor = new Map();  // kind -> open (true/false) as the editor left it

function issueKind(issue) {
  if (issue.code !== "suggestion") { return issue.code; }
  return MENTION_KEY.test(issue.target || "") ? "suggestion:mention" : "suggestion:quote";
}

function issueLink(issue) {
  if (issue.code === "headline" || issue.code === "dek" || !issue.target) { return desk.urls.change; }
  return (issue.code === "alt" ? "#desk-" : "#open-") + issue.target;
}

export function renderIssues(issues) {
  let list = $("desk-issues"), ok = $("desk-issues-ok");
  if (!list) {
    list = document.createElement("div");
    list.id = "desk-issues";
    list.className = "desk-issues desk-issue-groups";
    if (ok) { ok.parentNode.insertBefore(list, ok); }
  }
  if (!ok) {
    ok = document.createElement("p");
    ok.id = "desk-issues-ok";
    ok.className = "desk-ok";
    ok.textContent = t("no_issues");
    list.parentNode.insertBefore(ok, list.nextSibling);
  }
  Array.from(list.querySelectorAll("details[data-kind]")).forEach((d) => foldedByEditor.set(d.dataset.kind, d.open));
  const groups = new Map();
  issues.forEach((issue) => {
    const kind = issueKind(issue);
    if (!groups.has(kind)) { groups.set(kind, []); }
    groups.get(kind).push(issue);
  });
  const rank = (k) => (ISSUE_ORDER.includes(k) ? ISSUE_ORDER.indexOf(k) : ISSUE_ORDER.length);
  list.textContent = "";
  Array.from(groups.keys()).sort((a, b) => rank(a) - rank(b)).forEach((kind) => {
    const items = groups.get(kind);
    const details = document.createElement("details");
    details.className = "desk-issue-group";
    details.dataset.kind = kind;
    details.open = foldedByEditor.has(kind) ? foldedByEditor.get(kind) : items.length <= OPEN_UP_TO;
    const summary = document.createElement("summary");
    const label = document.createElement("span");
    label.className = "desk-issue-kind";
    label.textContent = t("issue_kind_" + kind);
    const count = document.createElement("span");
    count.className = "desk-count";
    count.textContent = String(items.length);
    const first = document.createElement("a");
    first.className = "desk-issue-first";
    first.href = issueLink(items[0]);
    first.textContent = items.length > 1 ? t("go_first") : t("go_it");
    summary.append(label, " ", count, " ", first);
    const ul = document.createElement("ul");
    items.forEach((issue) => {
      const li = document.createElement("li");
      li.dataset.code = issue.code;
      li.dataset.target = issue.target;
      li.textContent = issue.message;
      ul.appendChild(li);
    });
    details.append(summary, ul);
    list.appendChild(details);
  });
  list.hidden = !issues.length;
  ok.hidden = issues.length > 0;
}

export function message(text, kind) {
  const el = $("desk-message");
  el.textContent = text;
  el.className = "desk-message " + (kind || "ok");
}
