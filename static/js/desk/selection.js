// Reading the editor's selection (mouse or keyboard) as code-point offsets in one paragraph.

import {t} from "./strings.js";
import {cps, cpToUnits, unitsToCp} from "./codepoints.js";
import {$, blocks, perms, state} from "./state.js";
import {paraOf} from "./render.js";

function paraFromNode(node) {
  const el = node && (node.nodeType === 1 ? node : node.parentElement);
  return el ? el.closest(".desk-para") : null;
}

function unitsBefore(para, node, offset) {
  const range = document.createRange();
  range.selectNodeContents(para);
  range.setEnd(node, offset);
  return range.toString().length;
}

function trimmed(key, start, end) {
  const chars = cps(blocks.get(key).text);
  while (start < end && /\s/u.test(chars[start])) { start += 1; }
  while (end > start && /\s/u.test(chars[end - 1])) { end -= 1; }
  if (start >= end) { return null; }
  return {block: key, start, end, exact: chars.slice(start, end).join("")};
}

export function readSelection() {
  const s = window.getSelection();
  if (!s || !s.rangeCount) { return null; }
  const r = s.getRangeAt(0);
  const pa = paraFromNode(r.startContainer), pb = paraFromNode(r.endContainer);
  if (!pa && !pb) { return null; }
  if (pa !== pb) { return {error: t("one_paragraph")}; }
  const key = pa.dataset.block, text = blocks.get(key).text;
  const start = unitsToCp(text, unitsBefore(pa, r.startContainer, r.startOffset));
  const end = unitsToCp(text, unitsBefore(pa, r.endContainer, r.endOffset));
  if (s.isCollapsed) { return {caret: {block: key, at: start}}; }
  return trimmed(key, start, end) || {caret: {block: key, at: start}};
}

export function showSelection() {
  const sel = state.sel, text = $("desk-selection-text");
  const canMake = {quote: perms.add_quote, mention: perms.add_mention, annotation: perms.add_annotation};
  ["quote", "mention", "annotation"].forEach((t) => {
    $("desk-make-" + t).disabled = !(sel && !sel.error && canMake[t]);
  });
  const edit = $("desk-edit-para");
  if (edit) { edit.disabled = !(perms.edit && state.kb); }
  if (!sel) { text.textContent = t("nothing_selected"); return; }
  if (sel.error) { text.textContent = sel.error; return; }
  text.textContent = t("selection", {block: sel.block, start: sel.start, end: sel.end, exact: sel.exact});
}

export function onSelectionChange() {
  const got = readSelection();
  if (!got) { return; }
  if (got.caret) {
    state.kb = {block: got.caret.block, anchor: got.caret.at, focus: got.caret.at};
    state.sel = null;
  } else {
    state.sel = got;
    if (!got.error) {
      const kb = state.kb;
      if (!kb || kb.block !== got.block || Math.min(kb.anchor, kb.focus) !== got.start ||
          Math.max(kb.anchor, kb.focus) !== got.end) {
        state.kb = {block: got.block, anchor: got.start, focus: got.end};
      }
    }
  }
  showSelection();
}

function pointAt(para, key, cp) {
  const units = cpToUnits(blocks.get(key).text, cp);
  const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
  let node, seen = 0, last = null;
  while ((node = walker.nextNode())) {
    if (seen + node.length >= units) { return [node, units - seen]; }
    seen += node.length;
    last = node;
  }
  return last ? [last, last.length] : [para, 0];
}

export function applyKb() {
  const kb = state.kb, para = paraOf(kb.block);
  const a = pointAt(para, kb.block, kb.anchor), f = pointAt(para, kb.block, kb.focus);
  window.getSelection().setBaseAndExtent(a[0], a[1], f[0], f[1]);
}

export function clearSelection() {
  window.getSelection().removeAllRanges();
  state.sel = null;
  showSelection();
}
