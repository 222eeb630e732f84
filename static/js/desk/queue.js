// The review queue: "select all" checks every row of the page this user may review.

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
