/*
 * The story and interview change forms (articles/editing.py, README "History and concurrent
 * edits"):
 * - a heartbeat tells the server the form is still open: it keeps the session alive and
 *   answers who else has the form open, shown above the form;
 * - whatever is typed (CKEditor's text included) is kept in this browser's localStorage under
 *   the form's address until it is saved, and offered back on the next visit to that form
 *   (after the session expired, the browser crashed, the tab was closed);
 * - after a successful save the kept copy is removed.
 * Loaded as a static file: the site's Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  var PREFIX = "newsroom:unsaved:";
  var SUBMITTED = "newsroom:submitted";
  var SKIP = /^(csrfmiddlewaretoken|edit_token)$|-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/;

  function storage(kind) {
    try {
      var store = window[kind];
      store.getItem("x");
      return store;
    } catch (error) {
      return null; // private mode, disabled storage: the form works, nothing is kept
    }
  }

  var local = storage("localStorage");
  var session = storage("sessionStorage");

  function clock(ms) {
    var when = new Date(ms);
    return ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
  }

  // A save that went through removes the copy kept for its form.
  function forgetSavedDraft() {
    if (!session || !local) return;
    var key = session.getItem(SUBMITTED);
    if (!key) return;
    session.removeItem(SUBMITTED);
    var saved = document.querySelector(".messagelist .success");
    if (saved && !document.querySelector(".errornote")) local.removeItem(key);
  }

  function fieldsOf(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP.test(el.name) || el.disabled) return;
      if (el.type === "file" || el.type === "submit" || el.type === "button") return;
      if (el.type === "radio") {
        if (el.checked) out[el.name] = el.value;
      } else if (el.type === "checkbox") {
        out[el.name] = el.checked;
      } else if (el.type === "select-multiple") {
        out[el.name] = Array.prototype.filter.call(el.options, function (option) {
          return option.selected;
        }).map(function (option) { return option.value; });
      } else {
        out[el.name] = el.value;
      }
    });
    return out;
  }

  function setEditor(id, value, triesLeft) {
    var editor = window.editors && window.editors[id];
    if (editor) {
      editor.setData(value);
    } else if (triesLeft > 0) {
      window.setTimeout(function () { setEditor(id, value, triesLeft - 1); }, 200);
    }
  }

  function apply(form, fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP.test(el.name) || !(el.name in fields)) return;
      var value = fields[el.name];
      if (el.type === "radio") {
        el.checked = el.value === value;
      } else if (el.type === "checkbox") {
        el.checked = !!value;
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (option) {
          option.selected = value.indexOf(option.value) !== -1;
        });
      } else if (el.type !== "file") {
        el.value = value;
        if (el.classList.contains("django_ckeditor_5")) setEditor(el.id, value, 50);
      }
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function offer(form, key, draft, current) {
    var banner = document.createElement("div");
    banner.className = "desk-unsaved";
    banner.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = "Restore unsaved changes from " + clock(draft.savedAt) + "?";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button default";
    restore.textContent = "Restore";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = "Discard them";
    text.appendChild(document.createTextNode(" "));
    text.appendChild(restore);
    text.appendChild(document.createTextNode(" "));
    text.appendChild(discard);
    banner.appendChild(text);
    form.parentNode.insertBefore(banner, form);

    restore.addEventListener("click", function () {
      current.touched = true;
      apply(form, draft.fields);
      // The token of the page the text was typed in: saving it over someone else's newer
      // save is refused with their name, as it would have been then.
      var token = form.querySelector("input[name=edit_token]");
      if (token && draft.token) token.value = draft.token;
      banner.remove();
    });
    discard.addEventListener("click", function () {
      local.removeItem(key);
      banner.remove();
      current.baseline = JSON.stringify(fieldsOf(form));
    });
  }

  function keepTyping(form) {
    if (!local) return;
    var key = PREFIX + window.location.pathname;
    var state = { baseline: JSON.stringify(fieldsOf(form)), last: null, touched: false };
    var tokenInput = form.querySelector("input[name=edit_token]");
    var stored = null;
    try {
      stored = JSON.parse(local.getItem(key) || "null");
    } catch (error) {
      local.removeItem(key);
    }
    if (stored && stored.fields) {
      if (JSON.stringify(stored.fields) === state.baseline) {
        local.removeItem(key); // the form already holds it
      } else if (!document.querySelector(".errornote")) {
        offer(form, key, stored, state);
      }
    }

    function keep() {
      // Only what a person did: widgets that set themselves up change fields too.
      if (!state.touched) return;
      var now = JSON.stringify(fieldsOf(form));
      if (now === state.baseline || now === state.last) return;
      state.last = now;
      try {
        local.setItem(key, JSON.stringify({
          savedAt: Date.now(),
          fields: JSON.parse(now),
          token: tokenInput ? tokenInput.value : "",
        }));
      } catch (error) {
        // Storage full: the form itself is unaffected.
      }
    }

    ["input", "keydown", "paste", "drop", "change"].forEach(function (type) {
      form.addEventListener(type, function (event) {
        if (event.isTrusted) state.touched = true;
      }, true);
    });
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    // CKEditor writes its text back to the textarea without an input event.
    window.setInterval(keep, 1000);
    form.addEventListener("submit", function () {
      keep();
      if (session) session.setItem(SUBMITTED, key);
    });
  }

  function csrfToken(form) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showPresence(list, others, noun) {
    while (list.firstChild) list.removeChild(list.firstChild);
    others.forEach(function (person) {
      var item = document.createElement("li");
      item.className = "desk-presence__person";
      item.textContent = person.name + " has this " + noun + " open (since " + person.since + ").";
      list.appendChild(item);
    });
  }

  function showSessionEnded(list) {
    while (list.firstChild) list.removeChild(list.firstChild);
    var item = document.createElement("li");
    item.className = "desk-presence__ended";
    item.textContent = "Your session has ended. Log in again in another tab, then save: " +
      "what you typed is kept in this browser meanwhile.";
    list.appendChild(item);
  }

  function heartbeat(form, marker) {
    var url = marker.getAttribute("data-heartbeat-url");
    if (!url) return;
    var seconds = parseInt(marker.getAttribute("data-heartbeat-seconds"), 10) || 30;
    var list = document.getElementById("desk-presence");
    var noun = list.getAttribute("data-noun") || "story";

    function beat() {
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrfToken(form));
      fetch(url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
        .then(function (response) {
          if (response.type === "opaqueredirect" || response.status === 403) {
            showSessionEnded(list);
            return null;
          }
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data) showPresence(list, data.others, noun);
        })
        .catch(function () { /* offline for a moment: the next beat tries again */ });
    }

    window.setInterval(beat, seconds * 1000);
    window.addEventListener("pagehide", function () {
      if (!navigator.sendBeacon) return;
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrfToken(form));
      body.append("leave", "1");
      navigator.sendBeacon(url, body);
    });
  }

  function start() {
    forgetSavedDraft();
    var marker = document.getElementById("desk-editing");
    if (!marker) return;
    var form = marker.closest("form");
    if (!form) return;
    keepTyping(form);
    heartbeat(form, marker);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
