/*
 * Whistle & Report portal: small progressive enhancements on top of htmx 2.
 *
 * Loaded with `defer` after htmx.min.js. The CSP is `script-src 'self'`, so this file must not
 * use eval, inline handlers or innerHTML with data; every text goes through textContent.
 * All handlers are delegated from `document`, so they keep working after htmx swaps
 * (including hx-boost swapping the whole <body>).
 */
(function () {
  "use strict";

  var doc = document;
  doc.documentElement.classList.add("js");

  /* ---------------------------------------------------------------- CSRF */

  function csrfMeta() {
    return doc.querySelector('meta[name="csrf-token"]');
  }

  doc.addEventListener("htmx:configRequest", function (evt) {
    var meta = csrfMeta();
    if (meta && meta.content) {
      evt.detail.headers["X-CSRFToken"] = meta.content;
    }
  });

  // hx-boost replaces only <body>, so the <meta> in <head> would keep the token of the first
  // page even if the session changed (e.g. after logging in). Take the fresh token from any
  // full page that comes back.
  var CSRF_IN_PAGE = /<meta\s+name="csrf-token"\s+content="([^"<>]*)"/i;

  doc.addEventListener("htmx:afterRequest", function (evt) {
    var xhr = evt.detail && evt.detail.xhr;
    if (!xhr || typeof xhr.responseText !== "string") return;
    var match = CSRF_IN_PAGE.exec(xhr.responseText.slice(0, 4096));
    var meta = csrfMeta();
    if (match && meta && match[1]) meta.setAttribute("content", match[1]);
  });

  /* ------------------------------------------------------- error toast */

  var toastOwner = null; // the xhr whose response showed the toast (see 409 below)

  function toastEl() {
    return doc.getElementById("htmx-error");
  }

  function messageFor(status) {
    var el = toastEl();
    if (!el) return "";
    // getAttribute, not dataset: dataset keeps "msg-403" (a hyphen before a digit stays).
    function msg(key) {
      return el.getAttribute("data-msg-" + key) || "";
    }
    if (status === 0) return msg("network");
    return msg(String(status)) || msg(String(status).charAt(0) + "xx") || msg("5xx");
  }

  function showToast(text, xhr) {
    var el = toastEl();
    if (!el || !text) return;
    toastOwner = xhr || null;
    el.textContent = text;
    el.hidden = false;
  }

  function hideToast() {
    var el = toastEl();
    toastOwner = null;
    if (el && !el.hidden) {
      el.hidden = true;
      el.textContent = "";
    }
  }

  function hasBody(xhr) {
    return typeof xhr.responseText === "string" && xhr.responseText.trim() !== "";
  }

  // htmx fires htmx:beforeSwap before htmx:responseError, so the decision to swap an error
  // response has to be made here. 409 (the record changed: current state + notice) and
  // 422 (the form with its messages) are meant to be shown in place.
  doc.addEventListener("htmx:beforeSwap", function (evt) {
    var d = evt.detail;
    var status = d.xhr ? d.xhr.status : 200;
    if ((status === 409 || status === 422) && hasBody(d.xhr) && d.target && doc.body.contains(d.target)) {
      d.shouldSwap = true;
      d.isError = false;
      if (status === 409) showToast(messageFor(409), d.xhr);
    } else if (status >= 400 && d.boosted && hasBody(d.xhr)) {
      // Boosted navigation to an error page shows that page, as a plain link would.
      d.shouldSwap = true;
      d.isError = false;
    }
  });

  doc.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    showToast(messageFor(xhr ? xhr.status : 500), xhr);
  });

  function networkError(evt) {
    showToast(messageFor(0), evt.detail && evt.detail.xhr);
  }
  doc.addEventListener("htmx:sendError", networkError);
  doc.addEventListener("htmx:timeout", networkError);

  doc.addEventListener("htmx:afterRequest", function (evt) {
    var d = evt.detail;
    if (d && d.successful && d.xhr !== toastOwner) hideToast();
  });

  doc.addEventListener("click", function (evt) {
    var el = toastEl();
    if (el && !el.hidden && el.contains(evt.target)) hideToast();
  });

  /* ------------------------------------------------------ case version */

  // A unit's change swaps only its own card and, out of band, the case head. The head carries
  // the case's version, which every action form of the page posts next (optimistic locking):
  // after any swap, the forms take it.
  doc.addEventListener("htmx:afterSwap", function () {
    var head = doc.getElementById("case-head");
    var version = head ? head.getAttribute("data-case-version") : null;
    if (!version) return;
    var inputs = doc.querySelectorAll('#case-body form input[name="version"]');
    for (var i = 0; i < inputs.length; i++) inputs[i].value = version;
  });

  // An action form that is still on the page after its change succeeded (progress logged: the
  // answer adds a timeline entry and leaves the card) is emptied and folded, ready for the next.
  doc.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail && evt.detail.elt;
    if (!evt.detail.successful || !form || !form.classList || !form.classList.contains("action-form")) return;
    if (!doc.body.contains(form)) return;
    form.reset();
    var details = form.closest("details");
    if (details) details.open = false;
  });

  /* -------------------------------------------------------- data-confirm */

  function confirmText(el, submitter) {
    if (submitter && submitter.dataset && submitter.dataset.confirm) return submitter.dataset.confirm;
    if (el && el.dataset && el.dataset.confirm) return el.dataset.confirm;
    return "";
  }

  // Every htmx request (hx-post, hx-get, boosted links and forms) passes through htmx:confirm.
  doc.addEventListener("htmx:confirm", function (evt) {
    var d = evt.detail;
    var trigger = d.triggeringEvent;
    var submitter = trigger && trigger.submitter ? trigger.submitter : null;
    var question = confirmText(d.elt, submitter);
    if (!question) return;
    evt.preventDefault();
    if (window.confirm(question)) d.issueRequest(true);
  });

  // Plain forms (hx-boost="false" or outside htmx): htmx cancels the submit of the forms it
  // handles, so a submit that is still not prevented here is a normal browser submit.
  doc.addEventListener("submit", function (evt) {
    if (evt.defaultPrevented) return;
    var question = confirmText(evt.target, evt.submitter);
    if (question && !window.confirm(question)) evt.preventDefault();
  });

  /* ----------------------------------------------------------- geolocate */

  // <button type="button" data-geolocate data-msg-pending=".." data-msg-done=".."
  //         data-msg-error=".." data-msg-unsupported="..">
  // fills <input type="hidden" name="lat|lng|accuracy"> of the same form and writes its
  // status into the form's [data-geo-status] element. Without it the form still submits.
  var GEO_FALLBACK = {
    pending: "Locating…",
    done: "Location recorded",
    error: "Location not available",
    unsupported: "Location is not supported on this device",
  };

  function geoMessage(btn, key) {
    return btn.getAttribute("data-msg-" + key) || GEO_FALLBACK[key];
  }

  function setField(scope, name, value) {
    var input = scope.querySelector('input[name="' + name + '"]');
    if (input) input.value = value;
  }

  function geolocate(btn) {
    var scope = btn.form || btn.closest("form") || btn.parentNode;
    var status = scope.querySelector("[data-geo-status]");
    function say(text) {
      if (status) status.textContent = text;
    }
    if (!navigator.geolocation || window.isSecureContext === false) {
      say(geoMessage(btn, "unsupported"));
      return;
    }
    btn.disabled = true;
    btn.setAttribute("aria-busy", "true");
    say(geoMessage(btn, "pending"));
    function done() {
      btn.disabled = false;
      btn.removeAttribute("aria-busy");
    }
    try {
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          var c = pos.coords;
          setField(scope, "lat", c.latitude.toFixed(6));
          setField(scope, "lng", c.longitude.toFixed(6));
          setField(scope, "accuracy", String(Math.round(c.accuracy)));
          say(geoMessage(btn, "done") + " (±" + Math.round(c.accuracy) + " m)");
          done();
        },
        function () {
          say(geoMessage(btn, "error"));
          done();
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    } catch (e) {
      say(geoMessage(btn, "error"));
      done();
    }
  }

  /* --------------------------------------------------- clicks and changes */

  doc.addEventListener("click", function (evt) {
    var target = evt.target;
    if (!(target instanceof Element)) return;
    var geo = target.closest("[data-geolocate]");
    if (geo) {
      evt.preventDefault();
      geolocate(geo);
      return;
    }
    var print = target.closest("[data-print]");
    if (print) {
      evt.preventDefault();
      window.print();
    }
  });

  // Filters: submit the form when a select/input marked data-autosubmit changes.
  // requestSubmit() fires the submit event, so htmx (hx-boost / hx-get) handles it as usual.
  doc.addEventListener("change", function (evt) {
    var el = evt.target;
    if (!(el instanceof Element) || !el.matches("select[data-autosubmit], input[data-autosubmit]")) return;
    var form = el.form;
    if (!form) return;
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  });
})();
