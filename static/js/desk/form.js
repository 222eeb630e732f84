// The side form: make a quote, mention or note from the selection, or open one and act on it.

import {t} from "./strings.js";
import {send} from "./net.js";
import {$, blocks, desk, form, perms, state} from "./state.js";
import {message, renderBlock, renderOpenList} from "./render.js";
import {clearSelection} from "./selection.js";
import {refresh, scheduleRefresh} from "./refresh.js";

const ACTION_BUTTONS = ["desk-accept", "desk-reject", "desk-resolve", "desk-reopen", "desk-verify", "desk-dispute",
  "desk-delete"];

function showFieldsets(type) {
  Array.from(form.querySelectorAll("fieldset")).forEach((fs) => { fs.hidden = fs.dataset.for !== type; });
}

export function closeForm() {
  const was = state.open;
  form.hidden = true;
  state.open = null;
  $("desk-chooser").hidden = true;
  if (was && was.mode === "create") { renderBlock(was.anchor.block); }
}

function button(id, show) { $(id).hidden = !show; }

function canChange(item) {
  if (item.type === "annotation" && (item.kind === "flag" || item.kind === "repair")) {
    return perms.change_annotation && perms.resolve;
  }
  return perms["change_" + item.type];
}

function fillForm(type, item, anchor) {
  showFieldsets(type);
  $("desk-form-error").textContent = "";
  $("desk-form-exact").textContent = (item || anchor).exact;
  if (type === "quote") {
    state.ac.speaker.set(item ? item.speaker : null, false);
    state.ac.event.set(item ? item.event : null, false);
    $("f-quote-kind").value = item ? item.kind : "direct";
    $("f-role").value = item ? item.role : "";
    $("f-said-on").value = item ? item.said_on : "";
    $("f-quote-note").value = item ? item.note : "";
  } else if (type === "mention") {
    state.ac.entity.set(item ? item.entity : null, false);
  } else {
    const kind = item ? item.kind : "note";
    const select = $("f-note-kind");
    if (!Array.from(select.options).some((o) => o.value === kind)) {
      const o = document.createElement("option");
      o.value = kind;
      o.textContent = kind;
      select.appendChild(o);
    }
    select.value = kind;
    $("f-body").value = item ? item.body : "";
    $("f-public").checked = item ? item.public : false;
    $("f-original").hidden = !(item && item.original);
    $("f-original").textContent = item && item.original ? t("arrived_as", {text: item.original}) : "";
  }
}

export function makeFromSelection(type) {
  const sel = state.sel;
  if (!sel || sel.error) { message(t("select_first"), "error"); return; }
  const allowed = {quote: perms.add_quote, mention: perms.add_mention, annotation: perms.add_annotation}[type];
  if (!allowed) { message(t("may_not_add"), "error"); return; }
  const previous = state.open;
  state.open = {mode: "create", type, anchor: sel};
  if (previous && previous.mode === "create" && previous.anchor.block !== sel.block) {
    renderBlock(previous.anchor.block);
  }
  renderBlock(sel.block);
  $("desk-chooser").hidden = true;
  $("desk-form-title").textContent = t("new_" + type);
  $("desk-form-status").textContent = sel.block + " " + sel.start + "–" + sel.end;
  fillForm(type, null, sel);
  ACTION_BUTTONS.forEach((id) => button(id, false));
  button("desk-save", true);
  form.hidden = false;
  const first = form.querySelector("fieldset:not([hidden]) input, fieldset:not([hidden]) select");
  if (first) { first.focus(); }
}

export function openItems(list) {
  if (!list.length) { return; }
  if (list.length === 1) { openItem(list[0]); return; }
  const ul = $("desk-chooser-list");
  ul.textContent = "";
  list.forEach((i) => {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "desk-linkish";
    b.dataset.open = i.type + ":" + i.id;
    b.textContent = (i.type === "annotation" ? i.kind : i.type) + " · " + i.label + " «" + i.exact.slice(0, 20) + "»";
    li.appendChild(b);
    ul.appendChild(li);
  });
  form.hidden = true;
  $("desk-chooser").hidden = false;
  ul.querySelector("button").focus();
}

export function openItem(item) {
  const previous = state.open;
  state.open = {mode: "edit", type: item.type, item, version: item.version};
  if (previous && previous.mode === "create") { renderBlock(previous.anchor.block); }
  $("desk-chooser").hidden = true;
  $("desk-form-title").textContent = (item.type === "annotation" ? item.kind : item.type) + " " + item.key;
  $("desk-form-status").textContent = item.status + " · " + item.block + " " + item.start + "–" + item.end +
    (item.modified_by ? t("last_changed_by", {who: item.modified_by}) : "");
  fillForm(item.type, item);
  const suggested = item.status === "suggested";
  const importerMark = item.type === "annotation" && (item.kind === "flag" || item.kind === "repair");
  button("desk-save", canChange(item));
  button("desk-delete", perms["delete_" + item.type] && (!importerMark || perms.resolve));
  button("desk-accept", suggested && perms.review);
  button("desk-reject", suggested && perms.review);
  const canResolve = item.type === "annotation" && (importerMark ? perms.resolve : perms.change_annotation);
  button("desk-resolve", canResolve && item.status === "open");
  button("desk-reopen", canResolve && item.status === "resolved");
  button("desk-verify", item.type === "quote" && !suggested && perms.verify && item.status !== "verified");
  button("desk-dispute", item.type === "quote" && !suggested && perms.verify && item.status !== "disputed");
  form.hidden = false;
  const focusable = form.querySelector(".desk-form-buttons button:not([hidden])");
  if (focusable) { focusable.focus(); }
}

function entityField(name, out, key) {
  const ac = state.ac[name];
  if (ac.chosen && ac.isNew) {
    // A new mention's entity takes the kind chosen in the form, even if it was changed after typing.
    const kind = name === "entity" ? $("f-new-kind").value : ac.chosen.kind;
    out[key + "_new"] = {name: ac.chosen.name, kind};
  } else {
    out[key] = ac.chosen ? ac.chosen.id : null;
  }
}

function formValues(type) {
  const out = {};
  if (type === "quote") {
    entityField("speaker", out, "speaker");
    entityField("event", out, "event");
    out.kind = $("f-quote-kind").value;
    out.role = $("f-role").value;
    out.said_on = $("f-said-on").value.trim();
    out.note = $("f-quote-note").value;
  } else if (type === "mention") {
    entityField("entity", out, "entity");
  } else {
    out.kind = $("f-note-kind").value;
    out.body = $("f-body").value;
    out.public = $("f-public").checked;
  }
  return out;
}

function replaceItem(item) {
  const items = state.items;
  const i = items.findIndex((x) => x.type === item.type && x.id === item.id);
  const oldBlock = i >= 0 ? items[i].block : null;
  if (i >= 0) { items[i] = item; } else { items.push(item); }
  renderBlock(item.block);
  if (oldBlock && oldBlock !== item.block) { renderBlock(oldBlock); }
  renderOpenList();
}

function removeItem(type, id) {
  const items = state.items;
  const i = items.findIndex((x) => x.type === type && x.id === id);
  if (i < 0) { return; }
  const key = items[i].block;
  items.splice(i, 1);
  renderBlock(key);
  renderOpenList();
}

function summary(item) {
  if (item.type === "quote") {
    return t("summary_quote", {speaker: item.speaker ? item.speaker.name : t("none"), kind: item.kind,
      role: item.role ? t("summary_role", {role: item.role}) : "",
      date: item.said_on ? t("summary_date", {date: item.said_on}) : "", status: item.status});
  }
  if (item.type === "mention") {
    return t("summary_mention", {entity: item.entity ? item.entity.name : "?", status: item.status});
  }
  return item.kind + (item.public ? t("summary_public") : "") + ": «" + (item.body || "") + "», " + item.status;
}

function failed(result) {
  const error = $("desk-form-error");
  error.textContent = (result.error || t("not_saved")) +
    (result.stale && result.current ? t("their_version", {summary: summary(result.current)}) : "");
  message(result.error || t("not_saved"), "error");
  if (result.stale && result.current) {
    // Someone else changed it: show their version in the text, keep what this editor typed in the
    // form, and let the next save (now knowingly based on their version) replace it.
    replaceItem(result.current);
    if (state.open && state.open.item) { state.open.version = result.current.version; }
  }
  if (result.httpStatus === 404 && state.open && state.open.item) {
    removeItem(state.open.item.type, state.open.item.id);
  }
  if (result.block && typeof result.text === "string" && blocks.has(result.block)) {
    // The paragraph changed since the page loaded: take its text as it is now.
    blocks.get(result.block).text = result.text;
    refresh();
  }
}

function itemUrl(item, op) { return desk.urls.item + item.type + "/" + item.id + "/" + op + "/"; }

function busy(on) {
  Array.from(form.querySelectorAll("button")).forEach((b) => { b.disabled = on; });
}

function act(op) {
  const open = state.open;
  if (!open) { return; }
  busy(true);
  let request;
  if (open.mode === "create") {
    const body = formValues(open.type);
    body.type = open.type;
    body.block = open.anchor.block;
    body.start = open.anchor.start;
    body.end = open.anchor.end;
    body.exact = open.anchor.exact;
    request = send(desk.urls.create, body);
  } else {
    const payload = op === "save" ? formValues(open.type) : {};
    payload.version = open.version;
    request = send(itemUrl(open.item, op), payload);
  }
  request.then((result) => {
    busy(false);
    if (!result.ok) { failed(result); return; }
    if (result.deleted) {
      removeItem(result.type, result.id);
      message(op === "reject" ? t("rejected") : t("deleted"));
      closeForm();
    } else {
      replaceItem(result.item);
      message(t("done_item", {done: t("done_" + op), label: result.item.label}));
      openItem(result.item);
      clearSelection();
    }
    scheduleRefresh();
  });
}

export function installForm() {
  form.addEventListener("submit", (event) => { event.preventDefault(); act("save"); });
  [["desk-accept", "accept"], ["desk-reject", "reject"], ["desk-resolve", "resolve"], ["desk-reopen", "reopen"],
    ["desk-verify", "verify"], ["desk-dispute", "dispute"]].forEach(([id, op]) => {
    $(id).addEventListener("click", () => act(op));
  });
  $("desk-delete").addEventListener("click", () => {
    if (window.confirm(t("delete_confirm", {type: state.open.type}))) { act("delete"); }
  });
  $("desk-cancel").addEventListener("click", closeForm);
}
