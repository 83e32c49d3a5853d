// Two checks of a Label Studio labeling view, run in the page (tests/test_labelstudio_ui.py).
// Returns {chars, overlaps, arrows, fields, unlabelled}:
//   overlaps: things drawn over the task text (relation tags, labels, any element outside the text) that cover
//             one of its characters, by bounding boxes;
//   arrows: relation arrows drawn over the text;
//   unlabelled: filled fields (a text box with text, a group of choices with one chosen) with no visible name on
//               their line, to their left.
() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none" && +s.opacity !== 0;
  };
  const meets = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const view = document.querySelector(".lsf-main-view");
  const text = view.querySelector(".htx-highlight").closest(".lsf-htx-richtext"); // the task text, not the line above it
  // every character of the task text, one box each
  const chars = [];
  const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (let i = 0; i < node.length; i++) {
      if (!node.data[i].trim()) continue;
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) chars.push({c: node.data[i], r});
    }
  }
  // anything else that draws a mark or words: svg text and tag backgrounds, elements holding text of their own
  const marks = [...view.querySelectorAll("svg text, svg rect, *:not(svg, svg *)")].filter((el) => {
    if (text.contains(el) || el.contains(text) || !visible(el)) return false;
    if (el instanceof SVGElement) return true;
    return [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.data.trim());
  });
  const overlaps = [];
  for (const el of marks) {
    const box = el.getBoundingClientRect();
    const hit = chars.find(({r}) => meets(box, r));
    if (hit) overlaps.push(`${el.tagName.toLowerCase()} “${(el.textContent || "").trim().slice(0, 12)}” covers “${hit.c}”`);
  }
  const textBox = text.getBoundingClientRect();
  const arrows = [...document.querySelectorAll(".relations-overlay path, [class*=relations-overlay] path")].filter(
    (el) => visible(el) && meets(el.getBoundingClientRect(), textBox),
  ).length;
  // filled fields and the names on their line
  const fields = [
    ...[...view.querySelectorAll('[data-testid="htx-textbox-content"]')].filter((el) => el.textContent.trim()),
    ...[...view.querySelectorAll(".lsf-choices")].filter((el) => el.querySelector("input:checked")),
  ].filter(visible);
  const inField = (el) => fields.some((f) => f.contains(el) || el.contains(f));
  const names = [...view.querySelectorAll("*")].filter(
    (el) =>
      visible(el) && !inField(el) && !text.contains(el) &&
      [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.data.trim()) &&
      el.textContent.trim().length <= 8,
  );
  const unlabelled = [];
  for (const f of fields) {
    const fb = f.getBoundingClientRect();
    const named = names.some((n) => {
      const nb = n.getBoundingClientRect();
      const middle = (nb.top + nb.bottom) / 2;
      return nb.right <= fb.left + 1 && middle > fb.top && middle < fb.bottom && fb.left - nb.right < 400;
    });
    if (!named) unlabelled.push((f.textContent || "").trim().slice(0, 20) || f.className);
  }
  return {chars: chars.length, overlaps, arrows, fields: fields.length, unlabelled};
}
