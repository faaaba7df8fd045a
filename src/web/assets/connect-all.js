/*
 * Gatehouse Connect for installed apps' pages: AP.request, AP.proxyRequest, AP.require.
 * Served by Gatehouse at /connect/all.js. Load it from the platform that shows your page:
 *
 *   <script src="https://gatehouse.example/connect/all.js"></script>
 *
 * The platform's origin is the origin this script was loaded from (never a URL parameter, which
 * whoever frames the page could choose). Requests go to the page that frames yours — Gatehouse's
 * own page — with postMessage to that origin only; replies are accepted only from that window and
 * that origin. The platform performs each request with a token for your app and the current user,
 * asking the user first when they have not decided; your page never sees the token or the session.
 */
;(function () {
  'use strict'
  if (window.AP && window.AP.gatehouse) return

  var PROTOCOL = 'gatehouse-bridge'
  var VERSION = 1
  var script = document.currentScript
  var platformOrigin = script && script.src ? new URL(script.src, location.href).origin : null
  var embedded = window.parent !== window
  var pending = Object.create(null)
  var counter = 0

  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || event.origin !== platformOrigin) return
    var reply = event.data
    if (!reply || reply.protocol !== PROTOCOL || typeof reply.id !== 'string') return
    var settle = pending[reply.id]
    if (!settle) return
    delete pending[reply.id]
    settle(reply)
  })

  function newId() {
    counter += 1
    var random = window.crypto && crypto.getRandomValues ? Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(8)), function (b) { return (b + 256).toString(16).slice(1) }).join('') : String(Math.random()).slice(2)
    return 'r' + counter + '-' + random
  }

  /** Posts one message to the platform and resolves with its reply (or a failure of our own). */
  function send(call, body) {
    return new Promise(function (resolve) {
      if (!embedded || platformOrigin === null) {
        resolve({ ok: false, error: { code: 'NOT_EMBEDDED', message: 'This page is not shown inside the platform that served connect/all.js, so there is nobody to send the request to', status: 0 } })
        return
      }
      var id = newId()
      pending[id] = resolve
      window.parent.postMessage({ protocol: PROTOCOL, version: VERSION, id: id, call: call, body: body }, platformOrigin)
    })
  }

  /** jQuery-style `data`: an object becomes a query (GET, DELETE) or a form/JSON body. */
  function normalize(url, options) {
    if (typeof url === 'object' && url !== null) { options = url; url = options.url }
    options = options || {}
    var method = String(options.type || options.method || 'GET').toUpperCase()
    var contentType = options.contentType || 'application/x-www-form-urlencoded'
    var data = options.data
    var body = null
    if (data !== undefined && data !== null) {
      var encoded = typeof data === 'string' ? data
        : /json/i.test(contentType) && method !== 'GET' && method !== 'DELETE' ? JSON.stringify(data)
          : new URLSearchParams(data).toString()
      if (method === 'GET' || method === 'DELETE' || method === 'HEAD') {
        if (encoded !== '') url = String(url) + (String(url).indexOf('?') === -1 ? '?' : '&') + encoded
      } else {
        body = encoded
      }
    }
    var headers = {}
    if (options.headers) Object.keys(options.headers).forEach(function (name) { headers[name] = String(options.headers[name]) })
    return {
      request: { url: typeof url === 'string' ? url : '', type: method, data: body, contentType: body === null ? null : contentType, headers: headers },
      success: typeof options.success === 'function' ? options.success : null,
      error: typeof options.error === 'function' ? options.error : null,
      responseType: options.responseType === 'text' ? 'text' : 'auto',
    }
  }

  /** What `success` and `error` receive as their last argument: the parts of an XMLHttpRequest apps read. */
  function xhrLike(reply) {
    var headers = reply.headers || {}
    return {
      status: reply.status || 0,
      statusText: reply.statusText || '',
      responseText: typeof reply.body === 'string' ? reply.body : '',
      getResponseHeader: function (name) { var value = headers[String(name).toLowerCase()]; return value === undefined ? null : value },
      getAllResponseHeaders: function () { return Object.keys(headers).map(function (name) { return name + ': ' + headers[name] }).join('\r\n') },
    }
  }

  function isJson(reply) {
    return /^application\/([a-z.+-]*\+)?json\b/i.test((reply.headers && reply.headers['content-type']) || '')
  }

  function perform(call, url, options) {
    var o = normalize(url, options)
    var done = send(call, o.request).then(function (reply) {
      var xhr = xhrLike(reply)
      if (reply.ok) {
        var data = xhr.responseText
        if (o.responseType === 'auto' && isJson(reply) && data !== '') {
          try { data = JSON.parse(data) } catch (e) { /* leave it as text */ }
        }
        if (o.success) o.success(data, xhr.statusText, xhr)
        return { body: data, xhr: xhr }
      }
      var error = reply.error || {}
      var failure = { code: String(error.code || 'REQUEST_FAILED'), message: String(error.message || 'The request failed'), status: typeof error.status === 'number' ? error.status : xhr.status }
      if (o.error) o.error(failure, xhr.statusText, xhr)
      var rejection = new Error(failure.message)
      rejection.code = failure.code
      rejection.status = failure.status
      rejection.xhr = xhr
      throw rejection
    })
    // With an error callback, the rejection is handled: the promise is only for those who want it.
    if (o.error) done.catch(function () {})
    return done
  }

  function request(url, options) { return perform('request', url, options) }
  function proxyRequest(url, options) { return perform('proxyRequest', url, options) }

  /** Shown by the platform above your page, attributed to your app; plain text only. */
  function message(kind) {
    return function (title, body) {
      var id = newId()
      send('message', { id: id, kind: kind, title: String(title || ''), body: String(body || '') })
      return { id: id }
    }
  }
  var messages = {
    info: message('info'),
    success: message('success'),
    warning: message('warning'),
    error: message('error'),
    generic: message('info'),
    hint: message('info'),
    clear: function (shown) { if (shown && shown.id) send('clearMessage', { id: shown.id }) },
  }

  var modules = { request: request, proxyRequest: proxyRequest, messages: messages }

  /** AP.require('request', fn) or AP.require(['request', 'messages'], fn): the modules above, by name. */
  function require(names, callback) {
    var list = Array.isArray(names) ? names : [names]
    var found = list.map(function (name) {
      if (!Object.prototype.hasOwnProperty.call(modules, name)) throw new Error('AP.require: there is no module "' + name + '" (request, proxyRequest, messages)')
      return modules[name]
    })
    if (typeof callback === 'function') callback.apply(null, found)
    return found.length === 1 ? found[0] : found
  }

  window.AP = { gatehouse: VERSION, request: request, proxyRequest: proxyRequest, requestProxy: proxyRequest, messages: messages, require: require }
})()
