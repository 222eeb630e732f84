// Staying current: after every write the desk reloads the story's data (debounced), so other
// editors' changes show and an open form says when its subject changed meanwhile.

import {t} from "./strings.js";
import {getJSON, track} from "./net.js";
import {$, blocks, desk, state} from "./state.js";
import {findItem, renderAll, renderIssues} from "./render.js";

let refreshTimer = null;
let refreshPending = null;

export function refresh() {
  return track(getJSON(desk.urls.data))
    .then((data) => {
      if (!data.ok) { return; }
      data.blocks.forEach((b) => blocks.set(b.key, b));
      state.items = data.items;
      renderAll();
      renderIssues(data.issues || []);
      if (state.open && state.open.item) {
        const now = findItem(state.open.item.type, state.open.item.id);
        if (!now) {
          $("desk-form-error").textContent = t("deleted_meanwhile");
        } else if (now.version !== state.open.version) {
          $("desk-form-error").textContent = t("changed_meanwhile", {who: now.modified_by || "?"});
        }
      }
    })
    .catch(() => {});
}

export function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!refreshPending) {
    // Counted as busy from now on, so a test (or a second click) waits for the refresh too.
    let release;
    refreshPending = new Promise((resolve) => { release = resolve; });
    refreshPending.release = release;
    track(refreshPending);
  }
  refreshTimer = setTimeout(() => {
    const pending = refreshPending;
    refreshPending = null;
    refresh().then(pending.release, pending.release);
  }, 600);
}
