// Requests to the desk's JSON endpoints. How many are in flight is kept on <body data-desk-busy>:
// the browser tests wait for "0" (the test database takes one writer at a time).

import {t} from "./strings.js";

function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) { return input.value; }
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

let busyCount = 0;

export function track(promise) {
  busyCount += 1;
  document.body.dataset.deskBusy = String(busyCount);
  const done = () => {
    busyCount -= 1;
    document.body.dataset.deskBusy = String(busyCount);
  };
  promise.then(done, done);
  return promise;
}

export function send(url, body) {
  return track(fetch(url, {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json"},
    body: JSON.stringify(body || {})
  }).then((response) => response.json()
    .catch(() => ({ok: false, error: t("server_answered", {status: response.status})}))
    .then((data) => { data.httpStatus = response.status; return data; }),
  () => ({ok: false, error: t("unreachable"), httpStatus: 0})));
}

export function getJSON(url) {
  return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}}).then((r) => r.json());
}
