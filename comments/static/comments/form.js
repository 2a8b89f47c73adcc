// The comment form on a page served to every reader from the cache carries no CSRF token of
// its own: before it is sent, this adds the reader's token from their cookie, asking the site
// for one first when the reader has none yet. Without JavaScript the site answers with the
// form again, holding the reader's text and a fresh token (comments.views.csrf_retry).
(function () {
  "use strict";

  function cookie(name) {
    const prefix = name + "=";
    for (const part of document.cookie.split(";")) {
      const item = part.trim();
      if (item.startsWith(prefix)) {
        return decodeURIComponent(item.slice(prefix.length));
      }
    }
    return "";
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    const field = form.querySelector && form.querySelector("input[name=csrfmiddlewaretoken][data-cookie]");
    if (!field || field.value) {
      return;
    }
    const token = cookie(field.dataset.cookie);
    if (token) {
      field.value = token;
      return;
    }
    event.preventDefault();
    fetch(field.dataset.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) { field.value = data.token; })
      .catch(function () { /* sent without: the site asks the reader to send it again */ })
      .finally(function () { form.submit(); });
  });
})();
