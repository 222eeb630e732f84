// Mouse and keyboard in the story: select words, press Q / M / N, Enter opens what is under the caret.

import {t} from "./strings.js";
import {cps} from "./codepoints.js";
import {blocks, state, story, $} from "./state.js";
import {findItem, itemsAt, message} from "./render.js";
import {applyKb, clearSelection, onSelectionChange} from "./selection.js";
import {closeForm, makeFromSelection, openItem, openItems} from "./form.js";
import {reveal} from "./triage.js";
import {editParagraph} from "./paragraph.js";

function onKeydown(event) {
  const para = event.target.closest && event.target.closest(".desk-para");
  if (!para) { return; }
  const key = para.dataset.block, n = cps(blocks.get(key).text).length;
  if (!state.kb || state.kb.block !== key) { state.kb = {block: key, anchor: 0, focus: 0}; }
  const kb = state.kb;
  let handled = true;
  switch (event.key) {
    case "ArrowRight": case "ArrowLeft": case "Home": case "End": {
      const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      let to = event.key === "Home" ? 0 : event.key === "End" ? n :
        kb.focus + step * (event.ctrlKey || event.altKey ? 5 : 1);
      to = Math.max(0, Math.min(n, to));
      if (event.shiftKey) { kb.focus = to; } else { kb.anchor = kb.focus = to; }
      applyKb();
      break;
    }
    case "Escape":
      kb.anchor = kb.focus;
      clearSelection();
      closeForm();
      break;
    case "Enter":
      if (state.sel && !state.sel.error) {
        $("desk-make-quote").focus();
      } else {
        openItems(itemsAt(key, kb.focus));
      }
      break;
    case "q": case "Q": makeFromSelection("quote"); break;
    case "m": case "M": makeFromSelection("mention"); break;
    case "n": case "N": makeFromSelection("annotation"); break;
    case "e": case "E": editParagraph(key); break;
    default: handled = false;
  }
  if (handled) { event.preventDefault(); }
}

export function installEvents() {
  document.addEventListener("selectionchange", onSelectionChange);

  story.addEventListener("focusin", (event) => {
    const para = event.target.closest && event.target.closest(".desk-para");
    if (para && (!state.kb || state.kb.block !== para.dataset.block)) {
      state.kb = {block: para.dataset.block, anchor: 0, focus: 0};
    }
  });

  story.addEventListener("keydown", onKeydown);

  story.addEventListener("click", (event) => {
    const span = event.target.closest && event.target.closest(".desk-hl");
    const s = window.getSelection();
    if (!span || (s && !s.isCollapsed)) { return; }
    openItems(span.dataset.items.split(" ").filter(Boolean).map((ref) => {
      const [type, id] = ref.split(":");
      return findItem(type, Number(id));
    }).filter(Boolean));
  });

  document.addEventListener("click", (event) => {
    const target = event.target.closest && event.target.closest("[data-open],[data-make],[data-edit-para]");
    if (!target) { return; }
    if (target.dataset.editPara !== undefined) {
      if (state.kb) { editParagraph(state.kb.block); } else { message(t("caret_first"), "error"); }
      return;
    }
    if (target.dataset.make) { makeFromSelection(target.dataset.make); return; }
    const [type, id] = target.dataset.open.split(":");
    const item = findItem(type, Number(id));
    if (item) {
      openItem(item);
      if (!story.contains(target)) { reveal(item); }  // opened from the side list: show it in the text
    }
  });
}
