// The request bridge, on the page that shows an installed app's page module (src/consent/bridge.pages.ts).
// The app's frame (connect/all.js) asks for API requests with postMessage; this page answers only
// that frame's window, and only from the app's exact origin ("null" when the frame is sandboxed to an
// opaque origin: an app served from Gatehouse's own origin, the demo). It gets a token for the app and
// the signed-in user from /connect/bridge/token (session cookie + CSRF token), asks the user in a
// dialog when they have not decided, performs the request itself and posts back status and body:
// the app never sees the token, the session or the cookie.
;(function () {
  'use strict'
  var host = document.querySelector('[data-bridge-app]')
  if (!host) return
  var frame = host.querySelector('iframe')
  var dialog = document.getElementById('bridge-consent')
  var statusRegion = document.getElementById('bridge-status')
  var messageRegion = document.getElementById('bridge-messages')
  if (!frame || !dialog || !statusRegion || !messageRegion) return

  var PROTOCOL = 'gatehouse-bridge'
  var VERSION = 1
  var config = {
    workspace: host.dataset.bridgeWorkspace,
    app: host.dataset.bridgeApp,
    appName: host.dataset.bridgeAppName,
    appOrigin: host.dataset.bridgeAppOrigin,
    appBaseUrl: host.dataset.bridgeAppBaseUrl,
    opaque: host.dataset.bridgeOpaque === 'true',
    csrf: host.dataset.bridgeCsrf,
    timeoutMs: Number(host.dataset.bridgeTimeout) * 1000,
    manageUrl: host.dataset.bridgeManage,
  }
  // What event.origin reads for the frame's documents, and where replies may go. A sandboxed frame
  // without allow-same-origin has an opaque origin, which postMessage can only address as "*"; the
  // sandbox holds for every document loaded in that frame, and the source check below still applies.
  var frameOrigin = config.opaque ? 'null' : config.appOrigin
  var replyOrigin = config.opaque ? '*' : config.appOrigin

  var METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
  // Request headers an app may set; the rest (Authorization, Cookie, …) are the platform's to set.
  var REQUEST_HEADERS = ['accept', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since']
  // Response headers passed back (xhr.getResponseHeader).
  var RESPONSE_HEADERS = ['content-type', 'etag', 'last-modified', 'location', 'link', 'retry-after', 'www-authenticate']
  var EXPIRY_MARGIN_MS = 30 * 1000

  var token = null
  var tokenRequest = null

  window.addEventListener('message', function (event) {
    if (event.source !== frame.contentWindow || event.origin !== frameOrigin) return
    var message = event.data
    if (!message || message.protocol !== PROTOCOL || message.version !== VERSION) return
    if (typeof message.id !== 'string' || message.id.length === 0 || message.id.length > 100) return
    handle(message).then(function (reply) {
      reply.protocol = PROTOCOL
      reply.version = VERSION
      reply.id = message.id
      frame.contentWindow.postMessage(reply, replyOrigin)
    })
  })

  function handle(message) {
    if (message.call === 'request' || message.call === 'proxyRequest') {
      var target = requestTarget(message.call, message.body)
      if (target.error) return Promise.resolve(failure(target.error))
      return perform(target, true)
    }
    if (message.call === 'message') {
      showAppMessage(message.body)
      return Promise.resolve({ ok: true })
    }
    if (message.call === 'clearMessage') {
      clearAppMessage(message.body && message.body.id)
      return Promise.resolve({ ok: true })
    }
    return Promise.resolve(failure({ code: 'UNKNOWN_CALL', message: 'connect/all.js sent a call this platform does not know', status: 0 }))
  }

  // ------------------------------------------------------------ what may be requested

  /** The URL and options of a request, or why it is refused. AP.request reaches the API only; proxyRequest the app's own baseUrl only. */
  function requestTarget(call, body) {
    if (!body || typeof body.url !== 'string' || body.url.charAt(0) !== '/') {
      return { error: { code: 'INVALID_REQUEST', message: 'url must be a path starting with "/"', status: 0 } }
    }
    var method = String(body.type || 'GET').toUpperCase()
    if (METHODS.indexOf(method) === -1) return { error: { code: 'INVALID_REQUEST', message: 'type must be one of ' + METHODS.join(', '), status: 0 } }
    var url
    if (call === 'request') {
      url = new URL(body.url, location.origin)
      if (url.origin !== location.origin || !/^\/2\.0(\/|$)/.test(url.pathname)) {
        return { error: { code: 'INVALID_REQUEST', message: 'AP.request reaches the API only: its url must start with /2.0/', status: 0 } }
      }
    } else {
      var base = config.appBaseUrl.replace(/\/+$/, '')
      url = new URL(base + body.url)
      if (url.origin !== new URL(base).origin || (url.pathname + '/').indexOf(new URL(base).pathname.replace(/\/+$/, '') + '/') !== 0) {
        return { error: { code: 'INVALID_REQUEST', message: "AP.proxyRequest reaches the app's own baseUrl only", status: 0 } }
      }
    }
    var headers = {}
    var given = body.headers && typeof body.headers === 'object' ? body.headers : {}
    Object.keys(given).forEach(function (name) {
      if (REQUEST_HEADERS.indexOf(name.toLowerCase()) !== -1) headers[name.toLowerCase()] = String(given[name])
    })
    var data = typeof body.data === 'string' ? body.data : null
    if (data !== null && method !== 'GET') headers['content-type'] = typeof body.contentType === 'string' ? body.contentType : 'application/x-www-form-urlencoded'
    return { call: call, url: url.href, method: method, headers: headers, body: method === 'GET' ? null : data }
  }

  // ------------------------------------------------------------ the request itself

  /** Gets a token (asking the user if need be), sends the request with it, and describes the answer. A token revoked since it was cached is dropped and the request tried once more. */
  function perform(target, mayRetry) {
    return userToken().then(function (outcome) {
      if (outcome.error) return failure(outcome.error)
      var headers = Object.assign({}, target.headers, { authorization: 'Bearer ' + outcome.token })
      var init = { method: target.method, headers: headers, body: target.body, credentials: 'omit', cache: 'no-store', redirect: target.call === 'request' ? 'manual' : 'error' }
      return fetch(target.url, init).then(function (response) {
        if (response.status === 401 && mayRetry && outcome.cached) {
          token = null
          return perform(target, false)
        }
        return response.text().then(function (text) { return answer(response, text) })
      }, function () {
        return failure({ code: target.call === 'request' ? 'REQUEST_FAILED' : 'PROXY_REQUEST_FAILED', message: target.call === 'request' ? 'The API could not be reached' : "The app's server could not be reached, or refused this page's origin (CORS)", status: 0 })
      })
    })
  }

  function answer(response, text) {
    var headers = {}
    RESPONSE_HEADERS.forEach(function (name) {
      var value = response.headers.get(name)
      if (value !== null) headers[name] = value
    })
    var reply = { status: response.status, statusText: response.statusText, headers: headers, body: text }
    if (response.ok) {
      reply.ok = true
      return reply
    }
    reply.ok = false
    reply.error = apiError(response.status, text)
    return reply
  }

  /** The API's own error: `{ error: { code, message } }`, or OAuth's `{ error, error_description }`. */
  function apiError(status, text) {
    var code = 'HTTP_' + status
    var message = 'The request failed with status ' + status
    try {
      var parsed = JSON.parse(text)
      if (parsed && parsed.error && typeof parsed.error === 'object') {
        code = String(parsed.error.code || code)
        message = String(parsed.error.message || message)
      } else if (parsed && typeof parsed.error === 'string') {
        code = parsed.error
        message = String(parsed.error_description || message)
      }
    } catch (e) { /* not JSON: keep the status */ }
    return { code: code, message: message, status: status }
  }

  function failure(error) {
    return { ok: false, status: error.status || 0, statusText: '', headers: {}, body: '', error: error }
  }

  // ------------------------------------------------------------ the token, and the user's decision

  /**
   * A token for this app and the signed-in user: the one held while it lives, else Gatehouse's answer
   * — a token, a standing denial, or a question for the user. Requests arriving meanwhile share it,
   * so one dialog answers them all.
   */
  function userToken() {
    if (token && token.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return Promise.resolve({ token: token.value, cached: true })
    if (tokenRequest) return tokenRequest
    tokenRequest = post('/connect/bridge/token', {}).then(function (result) {
      if (result.outcome === 'allow') return keep(result.token)
      if (result.outcome === 'deny') return { error: { code: 'USER_ALREADY_DENIED_ACCESS', message: result.message, status: 403 } }
      return ask(result.consent)
    }, function (error) {
      return { error: { code: 'ACCESS_TOKEN_REQUEST_FAILED', message: error.message, status: error.status || 0 } }
    }).then(function (outcome) {
      tokenRequest = null
      return outcome
    })
    return tokenRequest
  }

  function keep(issued) {
    token = { value: issued.accessToken, expiresAt: Date.now() + issued.expiresIn * 1000 }
    return { token: token.value, cached: false }
  }

  function post(path, fields) {
    var body = Object.assign({ workspace: config.workspace, app: config.app, csrf_token: config.csrf }, fields)
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) {
        return response.json().catch(function () { return {} }).then(function (json) {
          if (response.ok) return json
          var error = new Error((json.error && json.error.message) || 'Gatehouse answered ' + response.status)
          error.status = response.status
          throw error
        })
      })
  }

  /** The consent dialog: resolves with a token (Allow), USER_DENIED_ACCESS (Deny), or ACCESS_TOKEN_REQUEST_FAILED (no answer in time, or closed). */
  function ask(consent) {
    return new Promise(function (resolve) {
      var list = dialog.querySelector('[data-bridge-scopes]')
      list.textContent = ''
      consent.scopes.forEach(function (scope) {
        var item = document.createElement('li')
        var description = document.createElement('span')
        description.className = 'scope-description'
        description.textContent = scope.description
        var name = document.createElement('code')
        name.className = 'scope-name'
        name.textContent = scope.name
        item.append(description, ' ', name)
        list.append(item)
      })
      var error = dialog.querySelector('[data-bridge-error]')
      error.hidden = true
      var buttons = Array.prototype.slice.call(dialog.querySelectorAll('button[data-decision]'))
      var returnFocus = document.activeElement
      var settled = false

      function finish(outcome, notice) {
        if (settled) return
        settled = true
        clearTimeout(timer)
        buttons.forEach(function (button) { button.removeEventListener('click', onClick); button.disabled = false })
        dialog.removeEventListener('cancel', onCancel)
        if (dialog.open) dialog.close()
        if (returnFocus && typeof returnFocus.focus === 'function') returnFocus.focus()
        if (notice) showStatus(notice.kind, notice.text, notice.link)
        resolve(outcome)
      }

      function onClick(event) {
        var decision = event.currentTarget.dataset.decision
        // Answered: the time limit is for people who answer neither.
        clearTimeout(timer)
        buttons.forEach(function (button) { button.disabled = true })
        post('/connect/bridge/decision', { decision: decision, scopes: consent.scopes.map(function (s) { return s.name }) }).then(function (result) {
          if (result.outcome === 'allow') {
            finish(keep(result.token), { kind: 'success', text: 'You allowed ' + config.appName + ' to use Gatehouse as you.', link: true })
          } else if (result.outcome === 'deny') {
            finish({ error: { code: 'USER_DENIED_ACCESS', message: 'The user denied ' + config.appName + ' access', status: 403 } },
              { kind: 'info', text: 'You denied ' + config.appName + ' access. It cannot use Gatehouse as you until you change that.', link: true })
          } else {
            // The app asks for something else since the dialog opened: show what it asks now.
            settled = true
            clearTimeout(timer)
            buttons.forEach(function (button) { button.removeEventListener('click', onClick); button.disabled = false })
            dialog.removeEventListener('cancel', onCancel)
            if (dialog.open) dialog.close()
            ask(result.consent).then(resolve)
          }
        }, function (failed) {
          buttons.forEach(function (button) { button.disabled = false })
          error.textContent = 'Your answer was not saved: ' + failed.message + '. Try again.'
          error.hidden = false
          arm()
        })
      }

      function onCancel(event) {
        event.preventDefault()
        finish({ error: { code: 'ACCESS_TOKEN_REQUEST_FAILED', message: 'The user closed the access request without answering', status: 0 } },
          { kind: 'info', text: config.appName + ' asked to use Gatehouse as you, and the request was closed without an answer. It will ask again next time.', link: false })
      }

      buttons.forEach(function (button) { button.addEventListener('click', onClick) })
      dialog.addEventListener('cancel', onCancel)
      var timer
      function arm() {
        timer = setTimeout(function () {
          finish({ error: { code: 'ACCESS_TOKEN_REQUEST_FAILED', message: 'The user did not allow or deny access within ' + config.timeoutMs / 1000 + ' s', status: 0 } },
            { kind: 'info', text: config.appName + ' asked to use Gatehouse as you, and the request expired without an answer. It will ask again next time.', link: false })
        }, config.timeoutMs)
      }
      arm()
      dialog.showModal()
      var title = dialog.querySelector('[data-bridge-focus]')
      if (title) title.focus()
    })
  }

  // ------------------------------------------------------------ what the page says

  /** After a decision: a short notice with the way to change it. */
  function showStatus(kind, text, link) {
    statusRegion.textContent = ''
    var notice = document.createElement('p')
    notice.className = 'notice ' + kind
    notice.append(text)
    if (link) {
      var anchor = document.createElement('a')
      anchor.href = config.manageUrl
      anchor.textContent = 'Manage permissions'
      notice.append(' ', anchor)
    }
    statusRegion.append(notice)
  }

  /** AP.messages: the app's own words, as text, labelled as the app's. */
  function showAppMessage(body) {
    if (!body || typeof body.id !== 'string') return
    clearAppMessage(body.id)
    var kinds = { info: 'info', success: 'success', warning: 'warn', error: 'error' }
    var notice = document.createElement('div')
    notice.className = 'notice bridge-app-message ' + (kinds[body.kind] || 'info')
    notice.dataset.messageId = body.id
    var from = document.createElement('p')
    from.className = 'bridge-app-message-from'
    from.textContent = 'Message from ' + config.appName
    var title = document.createElement('p')
    var strong = document.createElement('strong')
    strong.textContent = String(body.title || '').slice(0, 200)
    title.append(strong)
    var text = document.createElement('p')
    text.textContent = String(body.body || '').slice(0, 1000)
    var dismiss = document.createElement('button')
    dismiss.type = 'button'
    dismiss.className = 'secondary'
    dismiss.textContent = 'Dismiss'
    dismiss.addEventListener('click', function () { notice.remove() })
    notice.append(from, title, text, dismiss)
    messageRegion.append(notice)
  }

  function clearAppMessage(id) {
    Array.prototype.forEach.call(messageRegion.querySelectorAll('.bridge-app-message'), function (notice) {
      if (notice.dataset.messageId === id) notice.remove()
    })
  }
})()
