// Offsets sent to the server are Unicode code points, as the story format stores them; JavaScript
// strings count UTF-16 units, so every conversion goes through Array.from / codePointAt (a CJK
// Extension B character is one code point, two units).

export function cps(text) { return Array.from(text); }

export function unitsToCp(text, units) {
  let n = 0, i = 0;
  while (i < units && i < text.length) {
    i += text.codePointAt(i) > 0xffff ? 2 : 1;
    n += 1;
  }
  return n;
}

export function cpToUnits(text, cp) { return cps(text).slice(0, cp).join("").length; }
