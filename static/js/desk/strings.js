// The desk's strings, translated on the server (articles/desk/strings.py, json_script "desk-strings").

const el = document.getElementById("desk-strings");
const strings = el ? JSON.parse(el.textContent) : {};

export function t(key, params) {
  const text = strings[key] === undefined ? key : strings[key];
  return text.replace(/\{(\w+)\}/g, (whole, name) => (params && name in params ? String(params[name]) : whole));
}
