/* 走访探视: keep the form as a draft in this browser while it is filled in, restore it when the page
   is opened again, and when sending fails (no network) keep the draft and say so. Without this file
   the form posts normally. Loaded from a static file (the CSP allows no inline script). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  if (!form || !window.localStorage || !window.fetch || !window.FormData) {
    return;
  }
  var key = form.getAttribute("data-draft-key");
  var status = document.getElementById("draft-status");

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "submit" && el.type !== "hidden";
    });
  }

  function save() {
    var draft = {};
    fields().forEach(function (el) {
      draft[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    try {
      localStorage.setItem(key, JSON.stringify({ saved: Date.now(), values: draft }));
    } catch (e) {
      /* storage full or refused: the form still works */
    }
  }

  function restore() {
    var raw = null;
    try {
      raw = localStorage.getItem(key);
    } catch (e) {
      return;
    }
    if (!raw) {
      return;
    }
    var draft;
    try {
      draft = JSON.parse(raw);
    } catch (e) {
      localStorage.removeItem(key);
      return;
    }
    fields().forEach(function (el) {
      if (!draft.values || !(el.name in draft.values)) {
        return;
      }
      if (el.type === "checkbox") {
        el.checked = Boolean(draft.values[el.name]);
      } else {
        el.value = draft.values[el.name];
      }
    });
    say(form.getAttribute("data-restored-message"));
  }

  function clear() {
    try {
      localStorage.removeItem(key);
    } catch (e) {
      /* nothing kept */
    }
  }

  restore();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    save();
    var button = form.querySelector("[type=submit]");
    if (button) {
      button.disabled = true;
    }
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      redirect: "manual"
    })
      .then(function (response) {
        if (response.type === "opaqueredirect") {
          /* saved: the server redirects to the person's services, where its confirmation waits */
          clear();
          window.location.assign(form.getAttribute("data-done-url"));
          return;
        }
        if (button) {
          button.disabled = false;
        }
        if (response.status === 400) {
          /* the server names the problems: post again the ordinary way to show its page */
          HTMLFormElement.prototype.submit.call(form);
          return;
        }
        say(form.getAttribute("data-failed-message"));
      })
      .catch(function () {
        if (button) {
          button.disabled = false;
        }
        say(form.getAttribute("data-offline-message"));
      });
  });
})();
