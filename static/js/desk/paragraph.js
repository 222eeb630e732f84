// Editing a paragraph's text in place (E on a paragraph, or the button): the server moves every
// quote, mention and note on it to where its words are now. The text the editor started from is
// the lock: if someone changed the paragraph meanwhile, the save is refused and their text shown.

import {t} from "./strings.js";
import {send} from "./net.js";
import {$, blocks, desk, perms} from "./state.js";
import {message, paraOf} from "./render.js";
import {refresh} from "./refresh.js";

function control(tag, props) {
  const el = document.createElement(tag);
  Object.assign(el, props);
  return el;
}

export function editParagraph(key) {
  const para = paraOf(key), block = blocks.get(key);
  if (!perms.edit) { message(t("may_not_edit"), "error"); return; }
  if (!para || !block || block.kind !== "paragraph" || para.hidden) { return; }
  let expected = block.text;
  const box = control("div", {className: "desk-para-edit"});
  box.dataset.editFor = key;
  const theirs = control("p", {className: "desk-para-theirs", hidden: true});
  const rows = Math.max(3, Math.ceil(block.text.length / 40));
  const area = control("textarea", {id: "desk-edit-text", value: block.text, rows});
  area.setAttribute("aria-label", t("paragraph_label", {key}));
  const save = control("button", {type: "button", className: "button default", id: "desk-edit-save",
    textContent: t("save_text")});
  const cancel = control("button", {type: "button", className: "button", id: "desk-edit-cancel",
    textContent: t("cancel")});
  const error = control("p", {className: "desk-error", id: "desk-edit-error"});
  error.setAttribute("role", "alert");
  const buttons = control("div", {className: "desk-form-buttons"});
  buttons.append(save, cancel);
  box.append(theirs, area, buttons, error);
  para.hidden = true;
  para.after(box);
  area.focus();

  function close() {
    box.remove();
    para.hidden = false;
    para.focus();
  }
  cancel.addEventListener("click", close);
  area.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); close(); }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); save.click(); }
  });
  save.addEventListener("click", () => {
    save.disabled = true;
    send(desk.urls.item + "block/" + block.id + "/edit/", {text: area.value, expected}).then((result) => {
      save.disabled = false;
      if (!result.ok) {
        error.textContent = result.error || t("not_saved");
        message(result.error || t("not_saved"), "error");
        if (result.stale && typeof result.text === "string") {
          // Someone else's text: shown above, the next save (knowingly) replaces it.
          expected = result.text;
          blocks.get(key).text = result.text;
          theirs.hidden = false;
          theirs.textContent = t("their_text", {text: result.text});
        }
        return;
      }
      blocks.get(key).text = result.text;
      close();
      message(t("paragraph_saved", {key, flagged: result.flagged ? t("paragraph_flagged", {n: result.flagged}) : ""}));
      refresh();
    });
  });
}
