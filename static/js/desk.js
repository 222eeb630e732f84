/* The editors' desk: select words in a story and make quotes, mentions and notes.
 *
 * Plain JavaScript, no build step. Offsets sent to the server are Unicode code points, as the
 * story format stores them; JavaScript strings count UTF-16 units, so every conversion goes
 * through Array.from / codePointAt (a CJK Extension B character is one code point, two units).
 * Everything the server sends is put into the page with textContent, never innerHTML.
 */
(function () {
  "use strict";

  var dataEl = document.getElementById("desk-data");
  if (!dataEl) { return; }
  var desk = JSON.parse(dataEl.textContent);
  var perms = desk.perms;
  var blocks = new Map(desk.blocks.map(function (b) { return [b.key, b]; }));
  var items = desk.items.slice();
  var state = {sel: null, kb: null, open: null, ac: {}};

  var $ = function (id) { return document.getElementById(id); };
  var story = $("desk-story");
  var form = $("desk-form");

  // --- code points ------------------------------------------------------------------------------

  function cps(text) { return Array.from(text); }

  function unitsToCp(text, units) {
    var n = 0, i = 0;
    while (i < units && i < text.length) {
      i += text.codePointAt(i) > 0xffff ? 2 : 1;
      n += 1;
    }
    return n;
  }

  function cpToUnits(text, cp) { return cps(text).slice(0, cp).join("").length; }

  // --- requests -----------------------------------------------------------------------------------

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // How many requests are in flight (and whether a refresh is pending): tests wait for "0".
  var busyCount = 0;

  function track(promise) {
    busyCount += 1;
    document.body.dataset.deskBusy = String(busyCount);
    var done = function () {
      busyCount -= 1;
      document.body.dataset.deskBusy = String(busyCount);
    };
    promise.then(done, done);
    return promise;
  }

  function send(url, body) {
    return track(fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json"},
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () {
        return {ok: false, error: "The server answered " + response.status + "."};
      }).then(function (data) { data.httpStatus = response.status; return data; });
    }, function () { return {ok: false, error: "The server could not be reached; nothing was saved.", httpStatus: 0}; }));
  }

  // --- rendering ----------------------------------------------------------------------------------

  function itemClasses(item) {
    var out = ["hl-" + (item.type === "annotation" ? item.kind : item.type)];
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
    var bits = [item.type === "annotation" ? item.kind : item.type, item.label, "(" + item.status + ")"];
    if (item.type === "annotation" && item.body) { bits.push(item.body.slice(0, 80)); }
    return bits.join(" ");
  }

  function paraOf(key) { return story.querySelector('[data-block="' + CSS.escape(key) + '"]'); }

  function renderBlock(key) {
    var el = paraOf(key), block = blocks.get(key);
    if (!el || !block) { return; }
    var chars = cps(block.text), n = chars.length;
    var mine = items.filter(function (i) { return i.block === key; });
    var open = state.open;
    if (open && open.mode === "create" && open.anchor.block === key) {
      // The words a new annotation is being made for stay marked while the form has the focus.
      mine = mine.concat([{type: "pending", id: 0, block: key, start: open.anchor.start, end: open.anchor.end,
        label: "new " + open.type, status: "", exact: open.anchor.exact}]);
    }
    var bounds = new Set([0, n]);
    mine.forEach(function (i) { bounds.add(Math.min(i.start, n)); bounds.add(Math.min(i.end, n)); });
    var sorted = Array.from(bounds).sort(function (a, b) { return a - b; });
    var frag = document.createDocumentFragment();
    for (var j = 0; j < sorted.length - 1; j++) {
      var a = sorted[j], b = sorted[j + 1], text = chars.slice(a, b).join("");
      var covering = mine.filter(function (i) { return i.start <= a && b <= i.end; });
      if (!covering.length) { frag.appendChild(document.createTextNode(text)); continue; }
      var span = document.createElement("span");
      var classes = ["desk-hl"];
      covering.forEach(function (i) { classes = classes.concat(itemClasses(i)); });
      span.className = classes.join(" ");
      span.dataset.items = covering.filter(function (i) { return i.type !== "pending"; })
        .map(function (i) { return i.type + ":" + i.id; }).join(" ");
      span.title = covering.map(itemTitle).join("\n");
      span.textContent = text;
      frag.appendChild(span);
    }
    el.textContent = "";
    el.appendChild(frag);
  }

  function renderAll() {
    blocks.forEach(function (b, key) { if (b.kind === "paragraph") { renderBlock(key); } });
    renderOpenList();
  }

  function findItem(type, id) {
    return items.find(function (i) { return i.type === type && i.id === id; });
  }

  function itemsAt(key, cp) {
    return items.filter(function (i) { return i.block === key && i.start <= cp && cp < i.end; });
  }

  function isOpenWork(i) {
    return ((i.type === "quote" || i.type === "mention") && i.status === "suggested") ||
      (i.type === "annotation" && i.status === "open" && (i.kind === "flag" || i.kind === "repair"));
  }

  function renderOpenList() {
    var list = $("desk-open-list");
    list.textContent = "";
    var open = items.filter(isOpenWork);
    $("desk-open-none").hidden = open.length > 0;
    open.forEach(function (i) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "desk-linkish";
      button.dataset.open = i.type + ":" + i.id;
      button.textContent = (i.status === "suggested" ? "Suggested " + i.type : i.kind) + " · " + i.block + " «" +
        i.exact.slice(0, 24) + "»" + (i.type === "quote" && i.speaker ? " – " + i.speaker.name : "") +
        (i.type === "mention" && i.entity ? " – " + i.entity.name : "");
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function renderIssues(issues) {
    var list = document.getElementById("desk-issues"), ok = document.getElementById("desk-issues-ok");
    if (!list) {
      list = document.createElement("ul");
      list.id = "desk-issues";
      list.className = "desk-issues";
      if (ok) { ok.parentNode.insertBefore(list, ok); }
    }
    if (!ok) {
      ok = document.createElement("p");
      ok.id = "desk-issues-ok";
      ok.className = "desk-ok";
      ok.textContent = "No open issues.";
      list.parentNode.insertBefore(ok, list.nextSibling);
    }
    list.textContent = "";
    issues.forEach(function (issue) {
      var li = document.createElement("li");
      li.dataset.code = issue.code;
      li.dataset.target = issue.target;
      li.textContent = issue.message;
      list.appendChild(li);
    });
    list.hidden = !issues.length;
    ok.hidden = issues.length > 0;
  }

  function message(text, kind) {
    var el = $("desk-message");
    el.textContent = text;
    el.className = "desk-message " + (kind || "ok");
  }

  // --- selection ----------------------------------------------------------------------------------

  function paraFromNode(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el ? el.closest(".desk-para") : null;
  }

  function unitsBefore(para, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(para);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function trimmed(key, start, end) {
    var chars = cps(blocks.get(key).text);
    while (start < end && /\s/u.test(chars[start])) { start += 1; }
    while (end > start && /\s/u.test(chars[end - 1])) { end -= 1; }
    if (start >= end) { return null; }
    return {block: key, start: start, end: end, exact: chars.slice(start, end).join("")};
  }

  function readSelection() {
    var s = window.getSelection();
    if (!s || !s.rangeCount) { return null; }
    var r = s.getRangeAt(0);
    var pa = paraFromNode(r.startContainer), pb = paraFromNode(r.endContainer);
    if (!pa && !pb) { return null; }
    if (pa !== pb) { return {error: "Select words within one paragraph."}; }
    var key = pa.dataset.block, text = blocks.get(key).text;
    var start = unitsToCp(text, unitsBefore(pa, r.startContainer, r.startOffset));
    var end = unitsToCp(text, unitsBefore(pa, r.endContainer, r.endOffset));
    if (s.isCollapsed) { return {caret: {block: key, at: start}}; }
    return trimmed(key, start, end) || {caret: {block: key, at: start}};
  }

  function showSelection() {
    var sel = state.sel, text = $("desk-selection-text");
    var canMake = {quote: perms.add_quote, mention: perms.add_mention, annotation: perms.add_annotation};
    ["quote", "mention", "annotation"].forEach(function (t) {
      $("desk-make-" + t).disabled = !(sel && !sel.error && canMake[t]);
    });
    if (!sel) { text.textContent = "Nothing selected."; return; }
    if (sel.error) { text.textContent = sel.error; return; }
    text.textContent = sel.block + " · characters " + sel.start + "–" + sel.end + " «" + sel.exact + "»";
  }

  document.addEventListener("selectionchange", function () {
    var got = readSelection();
    if (!got) { return; }
    if (got.caret) {
      state.kb = {block: got.caret.block, anchor: got.caret.at, focus: got.caret.at};
      state.sel = null;
    } else {
      state.sel = got;
      if (!got.error) {
        if (!state.kb || state.kb.block !== got.block || Math.min(state.kb.anchor, state.kb.focus) !== got.start ||
            Math.max(state.kb.anchor, state.kb.focus) !== got.end) {
          state.kb = {block: got.block, anchor: got.start, focus: got.end};
        }
      }
    }
    showSelection();
  });

  function pointAt(para, key, cp) {
    var units = cpToUnits(blocks.get(key).text, cp);
    var walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
    var node, seen = 0, last = null;
    while ((node = walker.nextNode())) {
      if (seen + node.length >= units) { return [node, units - seen]; }
      seen += node.length;
      last = node;
    }
    return last ? [last, last.length] : [para, 0];
  }

  function applyKb() {
    var kb = state.kb, para = paraOf(kb.block);
    var s = window.getSelection();
    var a = pointAt(para, kb.block, kb.anchor), f = pointAt(para, kb.block, kb.focus);
    s.setBaseAndExtent(a[0], a[1], f[0], f[1]);
  }

  story.addEventListener("focusin", function (event) {
    var para = event.target.closest && event.target.closest(".desk-para");
    if (para && (!state.kb || state.kb.block !== para.dataset.block)) {
      state.kb = {block: para.dataset.block, anchor: 0, focus: 0};
    }
  });

  story.addEventListener("keydown", function (event) {
    var para = event.target.closest && event.target.closest(".desk-para");
    if (!para) { return; }
    var key = para.dataset.block, n = cps(blocks.get(key).text).length;
    if (!state.kb || state.kb.block !== key) { state.kb = {block: key, anchor: 0, focus: 0}; }
    var kb = state.kb, handled = true;
    switch (event.key) {
      case "ArrowRight": case "ArrowLeft": case "Home": case "End": {
        var step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        var to = event.key === "Home" ? 0 : event.key === "End" ? n : kb.focus + step * (event.ctrlKey || event.altKey ? 5 : 1);
        to = Math.max(0, Math.min(n, to));
        if (event.shiftKey) { kb.focus = to; } else { kb.anchor = kb.focus = to; }
        applyKb();
        break;
      }
      case "Escape":
        kb.anchor = kb.focus;
        window.getSelection().removeAllRanges();
        state.sel = null;
        showSelection();
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
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });

  story.addEventListener("click", function (event) {
    var span = event.target.closest && event.target.closest(".desk-hl");
    var s = window.getSelection();
    if (!span || (s && !s.isCollapsed)) { return; }
    openItems(span.dataset.items.split(" ").filter(Boolean).map(function (ref) {
      var parts = ref.split(":");
      return findItem(parts[0], Number(parts[1]));
    }).filter(Boolean));
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-open],[data-make]");
    if (!target) { return; }
    if (target.dataset.make) { makeFromSelection(target.dataset.make); return; }
    var parts = target.dataset.open.split(":");
    var item = findItem(parts[0], Number(parts[1]));
    if (item) { openItem(item); }
  });

  // --- autocomplete -------------------------------------------------------------------------------

  function setupAutocomplete(box) {
    var name = box.dataset.ac, input = box.querySelector("input"), list = box.querySelector("ul");
    var chosenEl = box.querySelector(".desk-ac-chosen");
    var ac = state.ac[name] = {chosen: null, timer: null};
    ac.set = function (entity, isNew) {
      ac.chosen = entity;
      ac.isNew = Boolean(isNew);
      input.value = entity ? entity.name : "";
      chosenEl.textContent = entity ? (isNew ? "new " + entity.kind + ": " + entity.name : entity.name + " (" + entity.kind + ", " + entity.slug + ")") : "";
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      if (name === "speaker") { fillRoles(entity); }
    };
    function option(label, onChoose) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.addEventListener("click", function () { onChoose(); input.focus(); });
      li.appendChild(b);
      list.appendChild(li);
    }
    function search() {
      var term = input.value.trim();
      var kinds = box.dataset.kinds ? box.dataset.kinds.split(" ") : [];
      var url = desk.urls.entities + "?q=" + encodeURIComponent(term) +
        kinds.map(function (k) { return "&kind=" + encodeURIComponent(k); }).join("");
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          list.textContent = "";
          (data.results || []).forEach(function (e) {
            option(e.name + " · " + e.kind + " · " + e.slug, function () { ac.set(e, false); });
          });
          if (term && perms.new_entity) {
            var newKind = name === "event" ? "event" : name === "speaker" ? "person" : $("f-new-kind").value;
            option("New " + newKind + ": «" + term + "»", function () {
              ac.set({name: term, kind: newKind, slug: "(new)"}, true);
            });
            if (name === "speaker") {
              option("New organization: «" + term + "»", function () {
                ac.set({name: term, kind: "organization", slug: "(new)"}, true);
              });
            }
          }
          list.hidden = !list.children.length;
          input.setAttribute("aria-expanded", String(!list.hidden));
        })
        .catch(function () { list.hidden = true; });
    }
    input.addEventListener("input", function () {
      ac.chosen = null;
      chosenEl.textContent = "";
      clearTimeout(ac.timer);
      ac.timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden) {
        event.preventDefault();
        var first = list.querySelector("button");
        if (first) { first.focus(); }
      } else if (event.key === "Enter") {
        event.preventDefault();
        var only = list.querySelector("button");
        if (!list.hidden && only) { only.click(); }
      }
    });
    list.addEventListener("keydown", function (event) {
      var buttons = Array.from(list.querySelectorAll("button"));
      var i = buttons.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && i < buttons.length - 1) { event.preventDefault(); buttons[i + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (i > 0 ? buttons[i - 1] : input).focus(); }
      if (event.key === "Escape") { list.hidden = true; input.focus(); }
    });
  }

  function fillRoles(entity) {
    var options = $("f-role-options");
    options.textContent = "";
    if (!entity || !entity.id) { return; }
    fetch(desk.urls.entities + "?q=" + encodeURIComponent(entity.slug), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var found = (data.results || []).find(function (e) { return e.id === entity.id; });
        (found ? found.roles : []).forEach(function (role) {
          var o = document.createElement("option");
          o.value = role.title;
          o.label = role.title + " " + (role.start || "…") + "–" + (role.end || "…");
          options.appendChild(o);
        });
      });
  }

  Array.from(document.querySelectorAll(".desk-ac")).forEach(setupAutocomplete);

  // --- the form -----------------------------------------------------------------------------------

  function showFieldsets(type) {
    Array.from(form.querySelectorAll("fieldset")).forEach(function (fs) { fs.hidden = fs.dataset.for !== type; });
  }

  function closeForm() {
    var was = state.open;
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
      var kind = item ? item.kind : "note";
      var select = $("f-note-kind");
      if (!Array.from(select.options).some(function (o) { return o.value === kind; })) {
        var o = document.createElement("option");
        o.value = kind;
        o.textContent = kind;
        select.appendChild(o);
      }
      select.value = kind;
      $("f-body").value = item ? item.body : "";
      $("f-public").checked = item ? item.public : false;
      $("f-original").hidden = !(item && item.original);
      $("f-original").textContent = item && item.original ? "Arrived as: " + item.original : "";
    }
  }

  function makeFromSelection(type) {
    var sel = state.sel;
    if (!sel || sel.error) { message("Select some words in one paragraph first.", "error"); return; }
    var allowed = {quote: perms.add_quote, mention: perms.add_mention, annotation: perms.add_annotation}[type];
    if (!allowed) { message("You may not add that to this story.", "error"); return; }
    var previous = state.open;
    state.open = {mode: "create", type: type, anchor: sel};
    if (previous && previous.mode === "create" && previous.anchor.block !== sel.block) { renderBlock(previous.anchor.block); }
    renderBlock(sel.block);
    $("desk-chooser").hidden = true;
    $("desk-form-title").textContent = "New " + (type === "annotation" ? "note" : type);
    $("desk-form-status").textContent = sel.block + " " + sel.start + "–" + sel.end;
    fillForm(type, null, sel);
    ["desk-accept", "desk-reject", "desk-resolve", "desk-reopen", "desk-verify", "desk-dispute", "desk-delete"]
      .forEach(function (id) { button(id, false); });
    button("desk-save", true);
    form.hidden = false;
    var first = form.querySelector("fieldset:not([hidden]) input, fieldset:not([hidden]) select");
    if (first) { first.focus(); }
  }

  function openItems(list) {
    if (!list.length) { return; }
    if (list.length === 1) { openItem(list[0]); return; }
    var ul = $("desk-chooser-list");
    ul.textContent = "";
    list.forEach(function (i) {
      var li = document.createElement("li");
      var b = document.createElement("button");
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

  function openItem(item) {
    var previous = state.open;
    state.open = {mode: "edit", type: item.type, item: item, version: item.version};
    if (previous && previous.mode === "create") { renderBlock(previous.anchor.block); }
    $("desk-chooser").hidden = true;
    $("desk-form-title").textContent = (item.type === "annotation" ? item.kind : item.type) + " " + item.key;
    $("desk-form-status").textContent = item.status + " · " + item.block + " " + item.start + "–" + item.end +
      (item.modified_by ? " · last changed by " + item.modified_by : "");
    fillForm(item.type, item);
    var suggested = item.status === "suggested";
    var importerMark = item.type === "annotation" && (item.kind === "flag" || item.kind === "repair");
    button("desk-save", canChange(item));
    button("desk-delete", perms["delete_" + item.type] && (!importerMark || perms.resolve));
    button("desk-accept", suggested && perms.review);
    button("desk-reject", suggested && perms.review);
    var canResolve = item.type === "annotation" && (importerMark ? perms.resolve : perms.change_annotation);
    button("desk-resolve", canResolve && item.status === "open");
    button("desk-reopen", canResolve && item.status === "resolved");
    button("desk-verify", item.type === "quote" && !suggested && perms.verify && item.status !== "verified");
    button("desk-dispute", item.type === "quote" && !suggested && perms.verify && item.status !== "disputed");
    form.hidden = false;
    var focusable = form.querySelector(".desk-form-buttons button:not([hidden])");
    if (focusable) { focusable.focus(); }
  }

  function entityField(name, out, key) {
    var ac = state.ac[name];
    if (ac.chosen && ac.isNew) {
      // A new mention's entity takes the kind chosen in the form, even if it was changed after typing.
      var kind = name === "entity" ? $("f-new-kind").value : ac.chosen.kind;
      out[key + "_new"] = {name: ac.chosen.name, kind: kind};
    } else {
      out[key] = ac.chosen ? ac.chosen.id : null;
    }
  }

  function formValues(type) {
    var out = {};
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
    var i = items.findIndex(function (x) { return x.type === item.type && x.id === item.id; });
    var oldBlock = i >= 0 ? items[i].block : null;
    if (i >= 0) { items[i] = item; } else { items.push(item); }
    renderBlock(item.block);
    if (oldBlock && oldBlock !== item.block) { renderBlock(oldBlock); }
    renderOpenList();
  }

  function removeItem(type, id) {
    var i = items.findIndex(function (x) { return x.type === type && x.id === id; });
    if (i < 0) { return; }
    var key = items[i].block;
    items.splice(i, 1);
    renderBlock(key);
    renderOpenList();
  }

  function summary(item) {
    if (item.type === "quote") {
      return "speaker " + (item.speaker ? item.speaker.name : "none") + ", kind " + item.kind +
        (item.role ? ", role «" + item.role + "»" : "") + (item.said_on ? ", date " + item.said_on : "") +
        ", status " + item.status;
    }
    if (item.type === "mention") { return "entity " + (item.entity ? item.entity.name : "?") + ", " + item.status; }
    return item.kind + (item.public ? " (public)" : "") + ": «" + (item.body || "") + "», " + item.status;
  }

  function failed(result) {
    var error = $("desk-form-error");
    error.textContent = (result.error || "Not saved.") +
      (result.stale && result.current ? " Their version: " + summary(result.current) + "." : "");
    message(result.error || "Not saved.", "error");
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
      blocks.get(result.block).text = result.text;
      refresh();
    }
  }

  function itemUrl(item, op) { return desk.urls.item + item.type + "/" + item.id + "/" + op + "/"; }

  function busy(on) {
    Array.from(form.querySelectorAll("button")).forEach(function (b) { b.disabled = on; });
  }

  function act(op) {
    var open = state.open;
    if (!open) { return; }
    busy(true);
    var request;
    if (open.mode === "create") {
      var body = formValues(open.type);
      body.type = open.type;
      body.block = open.anchor.block;
      body.start = open.anchor.start;
      body.end = open.anchor.end;
      body.exact = open.anchor.exact;
      request = send(desk.urls.create, body);
    } else {
      var payload = op === "save" ? formValues(open.type) : {};
      payload.version = open.version;
      request = send(itemUrl(open.item, op), payload);
    }
    request.then(function (result) {
      busy(false);
      if (!result.ok) { failed(result); return; }
      if (result.deleted) {
        removeItem(result.type, result.id);
        message(op === "reject" ? "Suggestion rejected; re-imports will not suggest it again." : "Deleted.");
        closeForm();
      } else {
        replaceItem(result.item);
        message({save: "Saved", accept: "Suggestion accepted", resolve: "Resolved", reopen: "Reopened",
          verify: "Marked verified", dispute: "Marked disputed"}[op] + ": " + result.item.label +
          ". Readers see it when the story is published.");
        openItem(result.item);
        window.getSelection().removeAllRanges();
        state.sel = null;
        showSelection();
      }
      scheduleRefresh();
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); act("save"); });
  [["desk-accept", "accept"], ["desk-reject", "reject"], ["desk-resolve", "resolve"], ["desk-reopen", "reopen"],
    ["desk-verify", "verify"], ["desk-dispute", "dispute"]].forEach(function (pair) {
    $(pair[0]).addEventListener("click", function () { act(pair[1]); });
  });
  $("desk-delete").addEventListener("click", function () {
    if (window.confirm("Delete this " + state.open.type + "?")) { act("delete"); }
  });
  $("desk-cancel").addEventListener("click", closeForm);

  // --- staying current ----------------------------------------------------------------------------

  var refreshTimer = null;

  var refreshPending = null;

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    if (!refreshPending) {
      var release;
      refreshPending = new Promise(function (resolve) { release = resolve; });
      refreshPending.release = release;
      track(refreshPending);
    }
    refreshTimer = setTimeout(function () {
      var pending = refreshPending;
      refreshPending = null;
      refresh().then(pending.release, pending.release);
    }, 600);
  }

  function refresh() {
    return track(fetch(desk.urls.data, {credentials: "same-origin", headers: {"Accept": "application/json"}}))
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.ok) { return; }
        data.blocks.forEach(function (b) { blocks.set(b.key, b); });
        items = data.items;
        renderAll();
        renderIssues(data.issues || []);
        if (state.open && state.open.item) {
          var now = findItem(state.open.item.type, state.open.item.id);
          if (!now) {
            $("desk-form-error").textContent = "Someone deleted this meanwhile.";
          } else if (now.version !== state.open.version) {
            $("desk-form-error").textContent = "Someone changed this meanwhile (" + (now.modified_by || "?") +
              "); saving will be refused until you have seen their version.";
          }
        }
      })
      .catch(function () {});
  }

  renderAll();
  showSelection();
  document.body.dataset.deskReady = "1";
}());
