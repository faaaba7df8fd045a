// Demo reports' own script, beside Gatehouse's connect/all.js: it calls the API as the person using
// the page, through the platform (AP.request) and through this app's own server (AP.proxyRequest),
// and handles the three consent error codes as every embedded app should. The page's forms work
// without it.
;(function () {
  'use strict'
  var calls = document.getElementById('bridge-calls')
  var result = document.getElementById('bridge-result')
  if (!calls || !result || !window.AP) return
  var manageUrl = calls.dataset.manageUrl
  calls.hidden = false
  var note = document.getElementById('bridge-needs-script')
  if (note) note.hidden = true

  // What a person is told when the platform refused to let this app act as them. Attach this handler
  // to every AP.request your app makes (or at least the one it makes when the page loads).
  var ACCESS_ERRORS = {
    USER_DENIED_ACCESS: 'You denied Demo reports access to Gatehouse as you, so it cannot show who you are.',
    USER_ALREADY_DENIED_ACCESS: 'You have denied Demo reports access to Gatehouse as you. To use this, lift the denial and try again.',
    ACCESS_TOKEN_REQUEST_FAILED: 'Gatehouse asked whether Demo reports may act as you, and the question was not answered in time. Try again, and choose Allow or Deny.',
  }

  function onError(error) {
    var code = String(error.code).toUpperCase()
    if (Object.prototype.hasOwnProperty.call(ACCESS_ERRORS, code)) {
      show(accessProblem(code))
    } else {
      // Any other failure carries the API's own status and error.
      show(paragraph('The request failed: ' + error.status + ' ' + error.code + ': ' + error.message, 'failed'))
    }
  }

  function whoAmI() {
    AP.require('request', function (request) {
      request({
        url: '/2.0/user',
        success: function (user) { show(answer('The API says you are', user)) },
        error: onError,
      })
    })
  }

  function viaServer() {
    AP.proxyRequest({
      url: calls.dataset.proxyPath,
      success: function (body) { show(answer("This app's server called the API with the token it was sent, and learnt you are", body.user)) },
      error: onError,
    })
  }

  document.getElementById('who-am-i').addEventListener('click', whoAmI)
  document.getElementById('via-server').addEventListener('click', viaServer)

  function answer(lead, user) {
    var box = document.createElement('div')
    var line = paragraph(lead + ' ', 'succeeded')
    var name = document.createElement('strong')
    name.textContent = user.display_name + ' (' + user.username + ')'
    line.append(name, '.')
    var raw = document.createElement('pre')
    raw.textContent = JSON.stringify(user, null, 2)
    box.append(line, raw)
    return box
  }

  function accessProblem(code) {
    var box = document.createElement('div')
    box.className = 'access-problem'
    box.setAttribute('role', 'alert')
    var title = document.createElement('h3')
    title.textContent = 'Demo reports cannot act as you'
    var text = paragraph(ACCESS_ERRORS[code])
    var code_ = document.createElement('p')
    code_.className = 'error-code'
    code_.textContent = 'Error code: ' + code
    box.append(title, text, code_)
    if (code !== 'ACCESS_TOKEN_REQUEST_FAILED') {
      var link = document.createElement('a')
      link.href = manageUrl
      link.target = '_blank'
      link.rel = 'noopener'
      link.textContent = 'Manage permissions in Gatehouse (opens in a new tab)'
      var p = document.createElement('p')
      p.append(link)
      box.append(p)
    }
    return box
  }

  function paragraph(text, className) {
    var p = document.createElement('p')
    if (className) p.className = className
    p.textContent = text
    return p
  }

  function show(node) {
    result.textContent = ''
    result.append(node)
  }
})()
