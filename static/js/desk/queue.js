// The review queue: "select all" checks every row of the page this user may review; a button with a
// data-confirm question (all suggestions at or above a confidence) asks it, with the count, first.

document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) { event.preventDefault(); }
});

const all = document.getElementById("desk-queue-all");
if (all) {
  const boxes = () => Array.from(document.querySelectorAll("#desk-queue input[name=item]"));
  all.addEventListener("change", () => boxes().forEach((b) => { b.checked = all.checked; }));
  document.getElementById("desk-queue").addEventListener("change", (event) => {
    if (event.target.name !== "item") { return; }
    const list = boxes();
    all.checked = list.length > 0 && list.every((b) => b.checked);
    all.indeterminate = !all.checked && list.some((b) => b.checked);
  });
}
