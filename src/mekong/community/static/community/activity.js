// Mekong — the support activity log, offline first.
// Each entry gets an id made here (a UUID), waits in IndexedDB, and is sent when there is a connection; the
// server stores an id once (a unique constraint), so an entry sent twice — an answer lost on a weak
// connection, two tabs — is kept once. The service worker (sw.js) keeps the page for opening offline.
// Without JavaScript (or IndexedDB) the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("ghi-nhan");
  if (!form || !window.indexedDB || !window.fetch || !window.Promise) return;

  var labels = JSON.parse(document.getElementById("nhan").textContent);
  var syncUrl = form.getAttribute("data-sync-url");
  var team = form.getAttribute("data-team");
  var queueSection = document.getElementById("hang-doi");
  var queueList = document.getElementById("danh-sach-cho");
  var sentList = document.getElementById("danh-sach-da-gui");
  var status = document.getElementById("trang-thai-mang");
  var flushing = false;

  var workerUrl = form.getAttribute("data-worker-url");
  if ("serviceWorker" in navigator && workerUrl) {
    navigator.serviceWorker
      .register(workerUrl, { scope: workerUrl.replace(/sw\.js$/, "") })
      .catch(function () { /* the page still works online */ });
  }

  // --- the queue ---------------------------------------------------------------------------------------
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open("mekong-community", 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("queue", { keyPath: "client_id" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }
  function store(mode, work) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        var transaction = database.transaction("queue", mode);
        var result = work(transaction.objectStore("queue"));
        transaction.oncomplete = function () { resolve(result && result.result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }
  function queued() {
    return store("readonly", function (queue) { return queue.getAll(); }).then(function (entries) {
      return (entries || []).filter(function (e) { return String(e.team) === String(team); })
        .sort(function (a, b) { return a.recorded_at < b.recorded_at ? -1 : 1; });
    });
  }
  function keep(entry) { return store("readwrite", function (queue) { return queue.put(entry); }); }
  function forget(id) { return store("readwrite", function (queue) { return queue.delete(id); }); }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }
  function today() {
    var now = new Date();
    var local = new Date(now.getTime() - now.getTimezoneOffset() * 60000);
    return local.toISOString().slice(0, 10);
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var field = form.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // --- showing it --------------------------------------------------------------------------------------
  function describe(entry) {
    var kind = labels.kinds[entry.kind] || entry.kind;
    var hamlet = labels.hamlets[String(entry.hamlet)] || "";
    var day = entry.date.split("-").reverse().join("/");
    return { title: kind, rest: " — " + entry.household, note: " " + [hamlet, day].filter(Boolean).join(", ") };
  }
  function item(entry, tag) {
    var text = describe(entry);
    var li = document.createElement("li");
    li.setAttribute("data-client-id", entry.client_id);
    var strong = document.createElement("strong");
    strong.textContent = text.title;
    li.appendChild(strong);
    li.appendChild(document.createTextNode(text.rest));
    var note = document.createElement("span");
    note.className = "note";
    note.textContent = text.note;
    li.appendChild(note);
    if (tag) {
      var badge = document.createElement("span");
      badge.className = "tag " + tag.className;
      badge.textContent = tag.text;
      li.appendChild(document.createTextNode(" "));
      li.appendChild(badge);
    }
    return li;
  }
  function render() {
    return queued().then(function (entries) {
      queueList.textContent = "";
      entries.forEach(function (entry) {
        queueList.appendChild(item(entry, entry.error
          ? { className: "tag-required", text: labels.refused + ": " + entry.error }
          : { className: "tag-waiting", text: labels.waiting }));
      });
      queueSection.hidden = entries.length === 0;
    });
  }
  function showSent(entry) {
    if (sentList.querySelector('[data-client-id="' + entry.client_id + '"]')) return;
    var empty = sentList.querySelector(".empty");
    if (empty) empty.remove();
    sentList.insertBefore(item(entry, { className: "tag-ok", text: labels.sent }), sentList.firstChild);
  }
  function say(text) {
    status.hidden = !text;
    status.textContent = text || "";
  }

  // --- sending -------------------------------------------------------------------------------------------
  function send(entry) {
    return fetch(syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      body: JSON.stringify(entry),
    });
  }
  function flush() {
    if (flushing || navigator.onLine === false) return Promise.resolve();
    flushing = true;
    return queued().then(function (entries) {
      var pending = entries.filter(function (e) { return !e.error; });
      var chain = Promise.resolve(true);
      pending.forEach(function (entry) {
        chain = chain.then(function (goOn) {
          if (!goOn) return false;
          return send(entry).then(function (response) {
            if (response.ok) {
              return forget(entry.client_id).then(function () { showSent(entry); return true; });
            }
            if (response.status === 400 || response.status === 409 || response.status === 422) {
              return response.json().catch(function () { return {}; }).then(function (body) {
                entry.error = body.message || String(response.status);
                return keep(entry).then(function () { return true; });
              });
            }
            return false; // signed out, server trouble: try again later
          }, function () { return false; /* no connection */ });
        });
      });
      return chain;
    }).then(function () {
      flushing = false;
      return render();
    }, function () {
      flushing = false;
    });
  }

  // --- the form --------------------------------------------------------------------------------------------
  var dateInput = form.querySelector("[name=date]");
  if (dateInput && !form.querySelector(".has-error")) dateInput.value = today();

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var entry = {
      client_id: newId(),
      team: team,
      kind: data.get("kind") || "",
      household: String(data.get("household") || "").trim(),
      hamlet: data.get("hamlet") || "",
      date: data.get("date") || today(),
      note: String(data.get("note") || "").trim(),
      recorded_at: new Date().toISOString(),
    };
    if (!entry.kind || !entry.household) {
      if (navigator.onLine === false) say(labels.incomplete);
      else form.submit(); // the server lists what is missing, next to the inputs
      return;
    }
    keep(entry).then(function () {
      form.querySelector("[name=household]").value = "";
      form.querySelector("[name=note]").value = "";
      Array.prototype.forEach.call(form.querySelectorAll("[name=kind]"), function (radio) { radio.checked = false; });
      if (navigator.onLine === false) say(labels.queued);
      return render();
    }).then(flush);
  });

  window.addEventListener("online", function () { say(labels.online); flush().then(function () { say(""); }); });
  window.addEventListener("offline", function () { say(labels.offline); });
  if (navigator.onLine === false) say(labels.offline);
  setInterval(flush, 30000);
  render().then(flush);
})();
