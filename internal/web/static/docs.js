// Progressive enhancement for the Dev Center: articles suggested as you type
// in the help center's search boxes and on the ticket form, and the article
// editor's live preview. Every page works without this script.
"use strict";
(function () {
  var minChars = 3;

  function debounce(fn, ms) {
    var timer;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  // latest wraps an async function so that only the answer to the newest
  // call is used: a slow early answer must not replace a newer one.
  function latest(fn) {
    var seq = 0;
    return function () {
      var mine = ++seq;
      return fn.apply(null, arguments).then(function (v) {
        if (mine !== seq) {
          throw new Error("stale");
        }
        return v;
      });
    };
  }

  function fetchSuggestions(q, token) {
    var url = "/search/suggest?q=" + encodeURIComponent(q);
    if (token) {
      url += "&d=" + encodeURIComponent(token);
    }
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        throw new Error("suggest: " + r.status);
      }
      return r.json();
    });
  }

  // appendSnippet adds a result's snippet to parent as text with <mark>s. The
  // server sends escaped text and <mark> only; parsing it in an inert
  // document and copying just text and marks keeps anything else out anyway.
  function appendSnippet(parent, html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var p = doc.body.firstChild;
    if (!p) {
      return;
    }
    p.childNodes.forEach(function (n) {
      if (n.nodeName === "MARK") {
        var m = document.createElement("mark");
        m.textContent = n.textContent;
        parent.appendChild(m);
      } else {
        parent.appendChild(document.createTextNode(n.textContent));
      }
    });
  }

  function suggestionItem(s, newTab) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = s.url;
    a.textContent = s.title;
    if (newTab) {
      a.target = "_blank";
      a.rel = "noopener";
    }
    li.appendChild(a);
    if (s.label) {
      var kind = document.createElement("span");
      kind.className = "kind kind-" + s.kind;
      kind.textContent = s.label;
      li.appendChild(document.createTextNode(" "));
      li.appendChild(kind);
    }
    if (s.snippet) {
      var p = document.createElement("p");
      p.className = "snippet";
      appendSnippet(p, s.snippet);
      li.appendChild(p);
    }
    return li;
  }

  // The help center's search boxes: a list of articles under the box.
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var box = document.getElementById(input.getAttribute("data-suggest"));
    if (!box) {
      return;
    }
    var scope = input.getAttribute("data-suggest-scope") || "";
    var suggest = latest(fetchSuggestions);
    function hide() {
      box.hidden = true;
    }
    var update = debounce(function () {
      var q = input.value.trim();
      if (q.length < minChars) {
        hide();
        return;
      }
      suggest(q, "").then(function (list) {
        box.textContent = "";
        var ul = document.createElement("ul");
        list.forEach(function (s) {
          ul.appendChild(suggestionItem(s, false));
        });
        var all = document.createElement("li");
        var a = document.createElement("a");
        a.className = "all";
        a.href = "/search?q=" + encodeURIComponent(q) + (scope ? "&scope=" + encodeURIComponent(scope) : "");
        a.textContent = list.length ? "All results for “" + q + "”" : "No suggestions yet: search for “" + q + "”";
        all.appendChild(a);
        ul.appendChild(all);
        box.appendChild(ul);
        box.hidden = false;
      }).catch(function () {});
    }, 200);
    input.addEventListener("input", update);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        hide();
      }
    });
    // Leaving the form closes the list; a click on a suggestion lands first.
    input.form.addEventListener("focusout", function (e) {
      if (!input.form.contains(e.relatedTarget)) {
        hide();
      }
    });
    input.addEventListener("focus", function () {
      if (box.firstChild && input.value.trim().length >= minChars) {
        box.hidden = false;
      }
    });
  });

  // The ticket form: articles that may answer the question, opened in a new
  // tab so the form is kept; the deflection token records what was shown and
  // opened.
  document.querySelectorAll("[data-suggest-from]").forEach(function (panel) {
    var fields = panel.getAttribute("data-suggest-from").split(" ").map(function (id) {
      return document.getElementById(id);
    }).filter(Boolean);
    var tokenField = document.getElementById(panel.getAttribute("data-deflection-field") || "");
    var list = panel.querySelector("ul");
    if (!fields.length || !list) {
      return;
    }
    var suggest = latest(fetchSuggestions);
    var update = debounce(function () {
      // The subject and the start of the description say what it is about.
      var q = fields.map(function (f) {
        return f.value.trim().slice(0, 400);
      }).join(" ").trim();
      if (q.length < minChars) {
        return;
      }
      suggest(q, tokenField ? tokenField.value : "").then(function (items) {
        list.textContent = "";
        items.forEach(function (s) {
          list.appendChild(suggestionItem(s, true));
        });
        panel.hidden = items.length === 0;
      }).catch(function () {});
    }, 400);
    fields.forEach(function (f) {
      f.addEventListener("input", update);
    });
    update();
  });

  // The article editor: the preview follows the Markdown as the author types.
  document.querySelectorAll("form[data-preview-source]").forEach(function (form) {
    var source = document.getElementById(form.getAttribute("data-preview-source"));
    var target = document.getElementById(form.getAttribute("data-preview-target"));
    if (!source || !target) {
      return;
    }
    var render = latest(function (body) {
      return fetch("/docs/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ body: body }),
      }).then(function (r) {
        if (!r.ok) {
          throw new Error("preview: " + r.status);
        }
        return r.text();
      });
    });
    function refresh() {
      render(source.value).then(function (html) {
        // The server's Markdown renderer sanitises: this is the HTML readers get.
        target.innerHTML = html;
        target.removeAttribute("data-stale");
      }).catch(function (err) {
        if (err.message !== "stale") {
          target.setAttribute("data-stale", "true");
        }
      });
    }
    source.addEventListener("input", debounce(refresh, 300));
    var button = document.getElementById("preview-button");
    if (button) {
      button.addEventListener("click", function (e) {
        e.preventDefault();
        refresh();
      });
    }
  });
})();
