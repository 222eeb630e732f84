// Entity autocomplete boxes (speaker, event, mentioned entity) over the desk's entities.json.

import {t} from "./strings.js";
import {getJSON} from "./net.js";
import {$, desk, perms, state} from "./state.js";

function fillRoles(entity) {
  const options = $("f-role-options");
  options.textContent = "";
  if (!entity || !entity.id) { return; }
  getJSON(desk.urls.entities + "?q=" + encodeURIComponent(entity.slug)).then((data) => {
    const found = (data.results || []).find((e) => e.id === entity.id);
    (found ? found.roles : []).forEach((role) => {
      const o = document.createElement("option");
      o.value = role.title;
      o.label = role.title + " " + (role.start || "…") + "–" + (role.end || "…");
      options.appendChild(o);
    });
  });
}

export function setupAutocomplete(box) {
  const name = box.dataset.ac, input = box.querySelector("input"), list = box.querySelector("ul");
  const chosenEl = box.querySelector(".desk-ac-chosen");
  const ac = state.ac[name] = {chosen: null, timer: null};
  ac.set = (entity, isNew) => {
    ac.chosen = entity;
    ac.isNew = Boolean(isNew);
    input.value = entity ? entity.name : "";
    chosenEl.textContent = entity ? (isNew ? t("new_entity_chosen", {kind: entity.kind, name: entity.name}) :
      entity.name + " (" + entity.kind + ", " + entity.slug + ")") : "";
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    if (name === "speaker") { fillRoles(entity); }
  };
  function option(label, onChoose) {
    const li = document.createElement("li");
    li.setAttribute("role", "option");
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", () => { onChoose(); input.focus(); });
    li.appendChild(b);
    list.appendChild(li);
  }
  function search() {
    const term = input.value.trim();
    const kinds = box.dataset.kinds ? box.dataset.kinds.split(" ") : [];
    const url = desk.urls.entities + "?q=" + encodeURIComponent(term) +
      kinds.map((k) => "&kind=" + encodeURIComponent(k)).join("");
    getJSON(url)
      .then((data) => {
        list.textContent = "";
        (data.results || []).forEach((e) => {
          option(e.name + " · " + e.kind + " · " + e.slug, () => ac.set(e, false));
        });
        // "New …" only when no entity of that kind already has exactly this name.
        const exists = (kind) => (data.results || []).some((e) => e.name === term && e.kind === kind);
        if (term && perms.new_entity) {
          const newKind = name === "event" ? "event" : name === "speaker" ? "person" : $("f-new-kind").value;
          if (!exists(newKind)) {
            option(t("new_entity_option", {kind: newKind, name: term}),
              () => ac.set({name: term, kind: newKind, slug: "(new)"}, true));
          }
          if (name === "speaker" && !exists("organization")) {
            option(t("new_organization_option", {name: term}),
              () => ac.set({name: term, kind: "organization", slug: "(new)"}, true));
          }
        }
        list.hidden = !list.children.length;
        input.setAttribute("aria-expanded", String(!list.hidden));
      })
      .catch(() => { list.hidden = true; });
  }
  input.addEventListener("input", () => {
    ac.chosen = null;
    chosenEl.textContent = "";
    clearTimeout(ac.timer);
    ac.timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && !list.hidden) {
      event.preventDefault();
      const first = list.querySelector("button");
      if (first) { first.focus(); }
    } else if (event.key === "Enter") {
      event.preventDefault();
      const only = list.querySelector("button");
      if (!list.hidden && only) { only.click(); }
    }
  });
  list.addEventListener("keydown", (event) => {
    const buttons = Array.from(list.querySelectorAll("button"));
    const i = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && i < buttons.length - 1) { event.preventDefault(); buttons[i + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (i > 0 ? buttons[i - 1] : input).focus(); }
    if (event.key === "Escape") { list.hidden = true; input.focus(); }
  });
}
