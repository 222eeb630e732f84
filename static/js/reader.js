/* Newsroom reader: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Margin notes (wide screens): keep each below the one before it.
  function placeNotes() {
    var bottom = -Infinity;
    document.querySelectorAll(".para.has-notes > .notes").forEach(function (notes) {
      notes.style.top = "";
      if (getComputedStyle(notes).position !== "absolute") return;
      var rect = notes.getBoundingClientRect();
      var top = rect.top + window.scrollY;
      if (top < bottom + 12) notes.style.top = (bottom + 12 - top) + "px";
      bottom = notes.getBoundingClientRect().bottom + window.scrollY;
    });
  }
  placeNotes();
  window.addEventListener("resize", placeNotes);
  window.addEventListener("load", placeNotes);

  // The table of contents marks the section being read.
  var toc = document.querySelector(".toc");
  if (toc && "IntersectionObserver" in window) {
    var links = {};
    toc.querySelectorAll("a[href^='#']").forEach(function (a) { links[a.getAttribute("href").slice(1)] = a; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting || !links[entry.target.id]) return;
        Object.keys(links).forEach(function (id) { links[id].removeAttribute("aria-current"); });
        links[entry.target.id].setAttribute("aria-current", "true");
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    document.querySelectorAll(".story-section[id]").forEach(function (s) { observer.observe(s); });
  }

  // Permalinks copy their address too (the link still works as a plain link).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.permalink");
    if (!link || !navigator.clipboard) return;
    navigator.clipboard.writeText(link.href).then(function () {
      link.setAttribute("data-copied", "");
      link.title = document.documentElement.lang === "zh-Hans" ? "已复制链接" : "已複製連結";
      setTimeout(function () { link.removeAttribute("data-copied"); }, 1600);
    }, function () {});
  });

  // A note reference and its note light up together, also when the note sits in the margin.
  function mark(id) {
    document.querySelectorAll(".is-target").forEach(function (el) { el.classList.remove("is-target"); });
    var el = id && document.getElementById(id);
    if (el) el.classList.add("is-target");
  }
  window.addEventListener("hashchange", function () { mark(location.hash.slice(1)); });

  // Narrow screens: notes sit collapsed to their number under the paragraph (see site.css); a tap
  // on a reference opens its note, a tap on a collapsed number opens it in place.
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 1179.98px)") : { matches: false };
  document.addEventListener("click", function (event) {
    if (!narrow.matches || !event.target.closest) return;
    var ref = event.target.closest("a.note-ref");
    var note = ref && document.getElementById(ref.getAttribute("href").slice(1));
    if (note) { note.classList.add("is-open"); return; }
    var label = event.target.closest(".note-label");
    note = label && label.closest(".note");
    if (note && !note.classList.contains("is-open") && !note.classList.contains("is-target")) {
      event.preventDefault();  // open it here rather than jump back to the reference
      note.classList.add("is-open");
    }
  });
  if (location.hash) mark(location.hash.slice(1));
})();
