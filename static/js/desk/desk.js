/* The editors' desk: select words in a story and make quotes, mentions and notes.
 *
 * ES modules, no build step (loaded with <script type="module">): codepoints.js (offsets),
 * net.js (requests), state.js (data and what the editor is doing), render.js (highlights and
 * lists), selection.js, autocomplete.js, form.js (the side form and its actions), refresh.js
 * (staying current), triage.js (bulk review by entity, stepping through open work) and events.js
 * (mouse and keyboard). This file starts them.
 */

import {desk} from "./state.js";
import {setupAutocomplete} from "./autocomplete.js";
import {installEvents} from "./events.js";
import {installForm} from "./form.js";
import {renderAll} from "./render.js";
import {showSelection} from "./selection.js";
import {installTriage, openFromHash} from "./triage.js";

if (desk) {
  Array.from(document.querySelectorAll(".desk-ac")).forEach(setupAutocomplete);
  installEvents();
  installForm();
  installTriage();
  renderAll();
  showSelection();
  openFromHash();
  document.body.dataset.deskReady = "1";
}
