// The desk's data (from the page's json_script) and what the editor is doing now.
// Everything the server sends is put into the page with textContent, never innerHTML.

export const $ = (id) => document.getElementById(id);

const dataEl = $("desk-data");
export const desk = dataEl ? JSON.parse(dataEl.textContent) : null;
export const perms = desk ? desk.perms : {};
export const blocks = new Map(desk ? desk.blocks.map((b) => [b.key, b]) : []);

// sel: the selection {block, start, end, exact} (or {error}); kb: the keyboard caret/selection;
// open: the form's subject ({mode: "create", type, anchor} or {mode: "edit", type, item, version});
// ac: the autocomplete boxes by name; items: every quote, mention and annotation of the story;
// revealed: "type:id" of the item last brought into view (its words stay marked).
export const state = {sel: null, kb: null, open: null, ac: {}, items: desk ? desk.items.slice() : [], revealed: null};

export const story = $("desk-story");
export const form = $("desk-form");
