/* fairorder buyer page: routing, the API client, and every screen.
 *
 * Plain JavaScript, no build step, no framework, no network beyond the shop's own server
 * (API.md, same origin, relative URLs). Hash routes: #/ (services), #/buy/svc_…, #/orders,
 * #/orders/ord_…, #/wallet, #/signin.
 *
 * Rules this file keeps:
 * - Server data reaches the DOM only as text (textContent), never as HTML.
 * - Money is never computed with floating point: amounts come from the server in minor
 *   units, and the only arithmetic (quantity × price) is BigInt, in format.js.
 * - No screen is ever blank: every view failure renders a plain-words error with a retry.
 * - Live regions (aria-live) announce what changes by itself: state, progress, quote. */
(function () {
  'use strict';

  var F = window.FO_FORMAT;
  var I18N = window.FO_I18N;
  var TOKEN_KEY = 'fairorder.token';
  var LANG_KEY = 'fairorder.lang';
  var POLL_MS = 2000;
  var REFRESH_MS = 15000;
  var OPEN_STATES = { pending: true, queued: true, executing: true };
  var STEP_STATES = ['pending', 'queued', 'executing', 'completed'];

  var state = {
    token: storageGet(TOKEN_KEY),
    lang: pickLang(),
    ctx: null,
    flash: null,
    returnTo: null,
    serviceCache: {},
    firstRender: true
  };

  /* ---------- small utilities ---------- */

  function storageGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      if (value === null) {
        window.localStorage.removeItem(key);
      } else {
        window.localStorage.setItem(key, value);
      }
    } catch (e) {
      /* Private mode without storage: the session still works until reload. */
    }
  }

  function pickLang() {
    var stored = storageGet(LANG_KEY);
    if (stored === 'zh' || stored === 'en') {
      return stored;
    }
    var tags = (navigator.languages && navigator.languages.length) ? navigator.languages
      : [navigator.language || 'en'];
    return /^zh/i.test(String(tags[0])) ? 'zh' : 'en';
  }

  function t(key, params) {
    var table = I18N[state.lang] || I18N.en;
    var text = table[key];
    if (text === undefined) {
      text = I18N.en[key] !== undefined ? I18N.en[key] : key;
    }
    if (params) {
      text = text.replace(/\{(\w+)\}/g, function (whole, name) {
        return params[name] !== undefined && params[name] !== null ? String(params[name]) : whole;
      });
    }
    return text;
  }

  function money(minor, currency, opts) {
    return F.money(minor, currency || 'CNY', opts);
  }

  /* Build an element: h('p', {class: 'x', onclick: fn}, 'text', child, [more]). */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === undefined || value === null || value === false) {
          return;
        }
        if (name === 'class') {
          el.className = value;
        } else if (name === 'text') {
          el.textContent = value;
        } else if (name.slice(0, 2) === 'on' && typeof value === 'function') {
          el.addEventListener(name.slice(2), value);
        } else if (name === 'checked' || name === 'disabled' || name === 'hidden' ||
                   name === 'value') {
          el[name] = value;
        } else {
          el.setAttribute(name, value === true ? '' : String(value));
        }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      append(el, arguments[i]);
    }
    return el;
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) {
      return;
    }
    if (Array.isArray(child)) {
      child.forEach(function (c) { append(el, c); });
      return;
    }
    el.appendChild(typeof child === 'string' || typeof child === 'number'
      ? document.createTextNode(String(child)) : child);
  }

  function randomKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return 'web-' + Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? '0' : '') + b.toString(16);
    }).join('');
  }

  function encode(id) {
    return encodeURIComponent(id);
  }

  /* ---------- the API client ---------- */

  function ApiError(status, code, message, detail) {
    this.status = status;
    this.code = code;
    this.message = message;
    this.detail = detail || {};
  }

  /* Call the API; resolves with the parsed JSON, rejects with an ApiError whose message is
   * already plain words in the chosen language (the server's error.message when given). */
  function api(method, path, opts) {
    opts = opts || {};
    var headers = { 'Accept': 'application/json', 'Accept-Language': acceptLanguage() };
    var token = opts.token !== undefined ? opts.token : state.token;
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (opts.idempotencyKey) {
      headers['Idempotency-Key'] = opts.idempotencyKey;
    }
    return fetch(path, {
      method: method,
      headers: headers,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      cache: 'no-store',
      signal: opts.signal
    }).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch (e) {
          data = null;
        }
        if (res.ok) {
          return data;
        }
        var err = data && data.error ? data.error : null;
        var apiErr = new ApiError(res.status, err && err.code ? err.code : 'http_' + res.status,
          err && err.message ? err.message : t('err.http', { status: res.status }), err);
        if (res.status === 401 && token && !opts.signingIn) {
          sessionExpired();
        }
        throw apiErr;
      });
    }, function (e) {
      if (e && e.name === 'AbortError') {
        throw e;
      }
      throw new ApiError(0, 'network', t('err.network'));
    });
  }

  function acceptLanguage() {
    return state.lang === 'zh' ? 'zh-CN' : 'en';
  }

  function sessionExpired() {
    if (!state.token) {
      return;
    }
    state.token = null;
    storageSet(TOKEN_KEY, null);
    state.flash = { text: t('signin.expired'), kind: 'warn' };
    if (parseRoute().name !== 'signin') {
      state.returnTo = location.hash;
    }
    setTimeout(render, 0);
  }

  function loadServices() {
    return api('GET', 'v1/services?limit=200').then(function (answer) {
      var list = (answer && answer.data) || [];
      list.forEach(function (svc) { state.serviceCache[svc.id] = svc; });
      return list;
    });
  }

  /* ---------- chrome: header, language, flash ---------- */

  function $(id) {
    return document.getElementById(id);
  }

  function renderChrome(route) {
    document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t('app.name');
    Array.prototype.forEach.call(document.querySelectorAll('[data-t]'), function (el) {
      el.textContent = t(el.getAttribute('data-t'));
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-t-label]'), function (el) {
      el.setAttribute('aria-label', t(el.getAttribute('data-t-label')));
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-lang]'), function (el) {
      el.setAttribute('aria-pressed', el.getAttribute('data-lang') === state.lang ? 'true' : 'false');
    });
    var signedIn = !!state.token;
    $('nav').hidden = !signedIn;
    $('signout').hidden = !signedIn;
    var current = { services: 'services', buy: 'services', orders: 'orders', order: 'orders',
                    wallet: 'wallet' }[route.name];
    Array.prototype.forEach.call(document.querySelectorAll('#nav a'), function (a) {
      if (a.getAttribute('data-nav') === current) {
        a.setAttribute('aria-current', 'page');
      } else {
        a.removeAttribute('aria-current');
      }
    });
  }

  function showFlash(text, kind) {
    var box = $('flash');
    box.replaceChildren();
    if (!text) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.className = 'flash wrap ' + (kind || 'ok');
    box.appendChild(h('p', { text: text }));
    box.appendChild(h('button', {
      type: 'button', class: 'link', text: t('flash.close'),
      onclick: function () { showFlash(null); }
    }));
  }

  /* ---------- routing ---------- */

  function parseRoute() {
    var parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean)
      .map(function (p) {
        try {
          return decodeURIComponent(p);
        } catch (e) {
          return p;
        }
      });
    if (parts.length === 0 || (parts.length === 1 && parts[0] === 'services')) {
      return { name: 'services' };
    }
    if (parts[0] === 'buy' && parts.length === 2) {
      return { name: 'buy', id: parts[1] };
    }
    if (parts[0] === 'orders' && parts.length === 1) {
      return { name: 'orders' };
    }
    if (parts[0] === 'orders' && parts.length === 2) {
      return { name: 'order', id: parts[1] };
    }
    if (parts[0] === 'wallet' && parts.length === 1) {
      return { name: 'wallet' };
    }
    if (parts[0] === 'signin' && parts.length === 1) {
      return { name: 'signin' };
    }
    return { name: 'notfound' };
  }

  var VIEWS = {
    signin: viewSignin,
    services: viewServices,
    buy: viewBuy,
    orders: viewOrders,
    order: viewOrder,
    wallet: viewWallet,
    notfound: viewNotFound
  };

  /* A view context: `alive` turns false when the reader navigates away; timers, streams
   * and listeners registered with `onEnd` are stopped then. */
  function newContext() {
    var ctx = {
      alive: true,
      ends: [],
      onEnd: function (fn) { ctx.ends.push(fn); },
      interval: function (fn, ms) {
        var id = setInterval(fn, ms);
        ctx.onEnd(function () { clearInterval(id); });
        return id;
      },
      timeout: function (fn, ms) {
        var id = setTimeout(fn, ms);
        ctx.onEnd(function () { clearTimeout(id); });
        return id;
      }
    };
    return ctx;
  }

  function endContext(ctx) {
    if (!ctx || !ctx.alive) {
      return;
    }
    ctx.alive = false;
    ctx.ends.forEach(function (fn) {
      try {
        fn();
      } catch (e) {
        /* Cleanup must never stop the next screen. */
      }
    });
  }

  function render() {
    var route = parseRoute();
    if (!state.token && route.name !== 'signin') {
      state.returnTo = location.hash && location.hash !== '#/signin' ? location.hash : null;
      route = { name: 'signin' };
    }
    if (state.token && route.name === 'signin') {
      route = { name: 'services' };
    }
    endContext(state.ctx);
    var ctx = newContext();
    state.ctx = ctx;
    renderChrome(route);
    if (state.flash) {
      showFlash(state.flash.text, state.flash.kind);
      state.flash = null;
    } else {
      showFlash(null);
    }
    var main = $('main');
    main.setAttribute('aria-busy', 'true');
    main.replaceChildren(h('p', { class: 'loading wrap', text: t('app.loading') }));
    var focus = !state.firstRender;
    state.firstRender = false;
    var done = function () {
      if (ctx.alive) {
        main.removeAttribute('aria-busy');
      }
    };
    Promise.resolve().then(function () {
      return VIEWS[route.name](ctx, route);
    }).then(function (node) {
      if (!ctx.alive || !node) {
        return;
      }
      mount(node, focus);
    }).catch(function (err) {
      if (!ctx.alive || (err && err.name === 'AbortError')) {
        return;
      }
      mount(h('section', { class: 'wrap page' },
        h('h1', { tabindex: '-1', text: t('err.title') }),
        errorBox(err, function () { render(); })), focus);
    }).then(done, done);
  }

  function mount(node, focus) {
    var main = $('main');
    main.replaceChildren(node);
    var title = main.querySelector('h1');
    document.title = title && title.textContent ? title.textContent + ' · ' + t('app.name')
      : t('app.name');
    if (focus) {
      var heading = main.querySelector('h1');
      if (heading) {
        heading.setAttribute('tabindex', '-1');
        heading.focus({ preventScroll: false });
      }
    }
    window.scrollTo(0, 0);
  }

  function go(hash) {
    if (location.hash === hash) {
      render();
    } else {
      location.hash = hash;
    }
  }

  /* ---------- shared pieces ---------- */

  /* A plain-words error: the server's message in the chosen language, our own explanation
   * where we have a better one, the code only as a small secondary line. */
  function errorBox(err, retry, own) {
    var message = err && err.message ? err.message : t('err.unexpected');
    var box = h('div', { class: 'notice error', role: 'alert' },
      h('p', { class: 'notice-title', text: own || message }),
      own && own !== message ? h('p', { text: message }) : null,
      err && err.code && err.code !== 'network' ? h('p', { class: 'muted small',
                                                      text: t('err.code', { code: err.code }) })
        : null,
      retry ? h('button', { type: 'button', class: 'button secondary', text: t('err.retry'),
                            onclick: retry }) : null);
    return box;
  }

  function stateBadge(orderState) {
    return h('span', { class: 'badge state-' + orderState, text: t('state.' + orderState) });
  }

  function policyFacts(policy) {
    var rows = [];
    rows.push([t('facts.coolingoff'), policy.cooling_off_s > 0
      ? F.duration(policy.cooling_off_s, state.lang) : t('facts.coolingoff.none')]);
    rows.push([t('facts.pending'), t('rule.' + policy.pending)]);
    rows.push([t('facts.queued'), t('rule.' + policy.queued)]);
    rows.push([t('facts.executing'), t('rule.' + policy.executing)]);
    if (policy.queued === 'fee' || policy.executing === 'prorated') {
      rows.push([t('facts.fee'), t('facts.feevalue', {
        fixed: money(policy.fee_fixed_minor), bps: F.bps(policy.fee_bps) })]);
    }
    return h('dl', { class: 'facts' }, rows.map(function (row) {
      return h('div', { class: 'fact' }, h('dt', { text: row[0] }), h('dd', { text: row[1] }));
    }));
  }

  function serviceName(serviceId) {
    var svc = state.serviceCache[serviceId];
    return svc ? svc.name : serviceId;
  }

  function serviceUnit(serviceId) {
    var svc = state.serviceCache[serviceId];
    return svc ? svc.unit : '';
  }

  /* ---------- sign-in ---------- */

  function viewSignin(ctx) {
    var input = h('input', {
      id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false',
      autocapitalize: 'off', 'aria-describedby': 'token-hint', required: true
    });
    var problem = h('div', { class: 'form-problem', 'aria-live': 'assertive' });
    var button = h('button', { type: 'submit', class: 'button primary', text: t('signin.submit') });
    var form = h('form', { class: 'card stack', novalidate: true },
      h('div', { class: 'field' },
        h('label', { for: 'token', text: t('signin.token') }),
        input,
        h('p', { id: 'token-hint', class: 'hint', text: t('signin.token.hint') })),
      problem,
      button);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var token = input.value.trim();
      problem.replaceChildren();
      if (!token) {
        problem.appendChild(h('p', { class: 'notice error', text: t('signin.empty') }));
        input.focus();
        return;
      }
      button.disabled = true;
      button.textContent = t('signin.busy');
      api('GET', 'v1/wallet', { token: token, signingIn: true }).then(function () {
        state.token = token;
        storageSet(TOKEN_KEY, token);
        var target = state.returnTo || '#/';
        state.returnTo = null;
        go(target);
      }, function (err) {
        if (!ctx.alive) {
          return;
        }
        var own = err.status === 401 ? t('signin.rejected')
          : err.status === 403 ? t('signin.forbidden') : null;
        problem.appendChild(errorBox(err, null, own));
        input.focus();
      }).then(function () {
        button.disabled = false;
        button.textContent = t('signin.submit');
      });
    });
    return h('section', { class: 'wrap page narrow' },
      h('h1', { text: t('signin.title') }),
      h('p', { class: 'lead', text: t('signin.intro') }),
      form,
      h('section', { class: 'promise', 'aria-labelledby': 'promise-heading' },
        h('h2', { id: 'promise-heading', text: t('promise.title') }),
        h('ul', null,
          h('li', { text: t('promise.rules') }),
          h('li', { text: t('promise.quote') }),
          h('li', { text: t('promise.money') }))));
  }

  /* ---------- services ---------- */

  function viewServices(ctx) {
    return Promise.all([
      loadServices(),
      api('GET', 'v1/wallet').catch(function () { return null; })
    ]).then(function (results) {
      var services = results[0];
      var wallet = results[1];
      var list = services.length === 0
        ? h('p', { class: 'empty card', text: t('services.empty') })
        : h('ul', { class: 'services', role: 'list' }, services.map(serviceCard));
      return h('section', { class: 'wrap page' },
        h('div', { class: 'page-head' },
          h('h1', { text: t('services.title') }),
          wallet ? h('a', { class: 'chip', href: '#/wallet',
                            text: t('services.available', {
                              amount: money(wallet.available_minor, wallet.currency) }) })
            : null),
        h('p', { class: 'lead', text: t('services.intro') }),
        list);
    });
  }

  function serviceCard(svc) {
    var headingId = 'svc-' + svc.id;
    return h('li', { class: 'card service', 'aria-labelledby': headingId, 'data-service': svc.id },
      h('h2', { id: headingId, text: svc.name }),
      h('dl', { class: 'pairs' },
        h('div', null, h('dt', { text: t('services.price') }),
          h('dd', { class: 'amount', text: t('services.priceper', {
            price: money(svc.unit_price_minor, svc.currency), unit: svc.unit }) })),
        h('div', null, h('dt', { text: t('services.range') }),
          h('dd', { text: t('services.rangevalue', {
            min: svc.min_quantity, max: svc.max_quantity, unit: svc.unit }) }))),
      h('div', { class: 'rules' },
        h('h3', { text: t('services.rules') }),
        h('p', { class: 'summary', text: svc.policy ? svc.policy.summary : '' })),
      h('a', { class: 'button primary', href: '#/buy/' + encode(svc.id),
               'aria-label': t('services.buyname', { name: svc.name }),
               text: t('services.buy') }));
  }

  /* ---------- buying ---------- */

  function viewBuy(ctx, route) {
    return Promise.all([
      loadServices(),
      api('GET', 'v1/wallet').catch(function () { return null; })
    ]).then(function (results) {
      var svc = null;
      results[0].forEach(function (s) {
        if (s.id === route.id) {
          svc = s;
        }
      });
      if (!svc) {
        return h('section', { class: 'wrap page narrow' },
          h('p', null, h('a', { href: '#/', text: t('buy.back') })),
          h('h1', { text: t('buy.title') }),
          h('div', { class: 'notice error', role: 'alert' },
            h('p', { class: 'notice-title', text: t('buy.notfound') })));
      }
      return buyForm(ctx, svc, results[1]);
    });
  }

  function buyForm(ctx, svc, wallet) {
    var shownPolicy = svc.policy;
    var key = null;
    var keyBody = null;
    var quantity = h('input', {
      id: 'quantity', name: 'quantity', type: 'number', inputmode: 'numeric',
      min: svc.min_quantity, max: svc.max_quantity, step: 1, required: true,
      value: String(svc.min_quantity), 'aria-describedby': 'quantity-hint'
    });
    var target = h('input', {
      id: 'target', name: 'target', type: 'text', maxlength: 128, autocomplete: 'off',
      spellcheck: 'false', required: true, 'aria-describedby': 'target-hint'
    });
    var totalAmount = h('span', { class: 'total-amount', 'data-total': '' });
    var totalCalc = h('span', { class: 'muted small' });
    var summary = h('p', { class: 'summary', text: shownPolicy.summary });
    var facts = h('div', null, policyFacts(shownPolicy));
    var rulesHeading = h('h2', { id: 'rules-heading', text: t('buy.rules') });
    var rules = h('section', { class: 'rules-box', 'aria-labelledby': 'rules-heading' },
      rulesHeading,
      h('p', { class: 'muted small', text: t('buy.rules.intro') }),
      summary, facts);
    var consent = h('input', { id: 'consent', name: 'consent', type: 'checkbox' });
    var rulesNotice = h('div', { class: 'form-problem', 'aria-live': 'assertive',
                                 'data-problem': 'rules' });
    var problem = h('div', { class: 'form-problem', 'aria-live': 'assertive',
                             'data-problem': 'pay' });
    var pay = h('button', { type: 'submit', class: 'button primary wide' });

    function quantityValue() {
      var raw = String(quantity.value).trim();
      if (!/^[0-9]{1,10}$/.test(raw)) {
        return null;
      }
      var q = BigInt(raw);
      if (q < BigInt(svc.min_quantity) || q > BigInt(svc.max_quantity)) {
        return null;
      }
      return q;
    }

    function total() {
      var q = quantityValue();
      return q === null ? null : F.multiply(q, svc.unit_price_minor);
    }

    function updateTotal() {
      var sum = total();
      var q = quantityValue();
      totalAmount.textContent = sum === null ? '—' : money(sum, svc.currency);
      totalCalc.textContent = q === null ? '' : t('buy.totalcalc', {
        quantity: q.toString(), price: money(svc.unit_price_minor, svc.currency) });
      pay.textContent = sum === null ? t('buy.pay', { amount: '' }).trim()
        : t('buy.pay', { amount: money(sum, svc.currency) });
    }
    quantity.addEventListener('input', updateTotal);
    updateTotal();

    function showPolicy(policy, changed) {
      shownPolicy = policy;
      summary.textContent = policy.summary || '';
      facts.replaceChildren(policyFacts(policy));
      rulesHeading.textContent = changed ? t('buy.newrules') : t('buy.rules');
      rules.classList.toggle('changed', !!changed);
    }

    var form = h('form', { class: 'stack', novalidate: true },
      h('div', { class: 'card stack' },
        h('div', { class: 'field' },
          h('label', { for: 'quantity', text: t('buy.quantity', { unit: svc.unit }) }),
          quantity,
          h('p', { id: 'quantity-hint', class: 'hint', text: t('buy.quantity.hint', {
            min: svc.min_quantity, max: svc.max_quantity }) })),
        h('div', { class: 'field' },
          h('label', { for: 'target', text: t('buy.target') }),
          target,
          h('p', { id: 'target-hint', class: 'hint', text: t('buy.target.hint') })),
        h('div', { class: 'total', 'aria-live': 'polite' },
          h('span', { class: 'total-label', text: t('buy.total') }),
          totalAmount, totalCalc),
        wallet ? h('p', { class: 'muted small', text: t('buy.available', {
          amount: money(wallet.available_minor, wallet.currency) }) }) : null),
      rulesNotice,
      rules,
      h('div', { class: 'card stack' },
        h('div', { class: 'check' }, consent,
          h('label', { for: 'consent', text: t('buy.consent') })),
        problem,
        pay,
        h('p', { class: 'muted small', text: t('buy.holdnote') })));

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      problem.replaceChildren();
      rulesNotice.replaceChildren();
      var q = quantityValue();
      var targetText = target.value.trim();
      var complaint = null;
      var focusEl = null;
      if (q === null) {
        complaint = t('buy.need.quantity', { min: svc.min_quantity, max: svc.max_quantity });
        focusEl = quantity;
      } else if (targetText.length === 0 || Array.from(targetText).length > 128) {
        complaint = t('buy.need.target');
        focusEl = target;
      } else if (!consent.checked) {
        complaint = t('buy.need.consent');
        focusEl = consent;
      }
      if (complaint) {
        problem.appendChild(h('div', { class: 'notice error', role: 'alert' },
          h('p', { class: 'notice-title', text: complaint })));
        focusEl.focus();
        return;
      }
      var body = { service_id: svc.id, quantity: Number(q), target: targetText,
                   expected_policy_id: shownPolicy.id };
      var bodyText = JSON.stringify(body);
      if (bodyText !== keyBody) {
        key = randomKey();
        keyBody = bodyText;
      }
      var amountText = money(total(), svc.currency);
      pay.disabled = true;
      pay.textContent = t('buy.paying');
      api('POST', 'v1/orders', { body: body, idempotencyKey: key }).then(function (order) {
        state.flash = { text: t('buy.placed', { amount: money(order.amount_minor,
                                                                   order.currency) }) };
        go('#/orders/' + encode(order.id));
      }, function (err) {
        if (!ctx.alive) {
          return;
        }
        pay.disabled = false;
        updateTotal();
        if (err.code === 'policy_changed') {
          consent.checked = false;
          if (err.detail && err.detail.policy) {
            showPolicy(err.detail.policy, true);
          } else {
            loadServices().then(function (list) {
              list.forEach(function (s) {
                if (s.id === svc.id && ctx.alive) {
                  showPolicy(s.policy, true);
                }
              });
            });
          }
          rulesNotice.appendChild(h('div', { class: 'notice warn', role: 'alert' },
            h('p', { class: 'notice-title', text: t('buy.policychanged.title') }),
            h('p', { text: t('buy.policychanged.body') })));
          rulesNotice.scrollIntoView({ block: 'start' });
          consent.focus({ preventScroll: true });
          return;
        }
        var own = null;
        if (err.code === 'insufficient_funds') {
          own = t('buy.insufficient', { amount: amountText,
                                        available: wallet ? money(wallet.available_minor,
                                                                  wallet.currency) : '—' });
          api('GET', 'v1/wallet').then(function (w) {
            wallet = w;
          }, function () {});
        } else if (err.code === 'service_not_found') {
          own = t('buy.notfound');
        }
        problem.appendChild(errorBox(err, null, own));
        pay.focus();
      });
    });

    return h('section', { class: 'wrap page narrow' },
      h('p', null, h('a', { href: '#/', text: t('buy.back') })),
      h('h1', { text: t('buy.title') }),
      h('p', { class: 'lead service-name', text: svc.name + ' · ' + t('services.priceper', {
        price: money(svc.unit_price_minor, svc.currency), unit: svc.unit }) }),
      form);
  }

  /* ---------- orders list ---------- */

  function viewOrders(ctx) {
    var list = h('ul', { class: 'orders', role: 'list' });
    var more = h('button', { type: 'button', class: 'button secondary', hidden: true,
                             text: t('orders.more') });
    var problem = h('div');
    var cursor = null;

    function page() {
      var path = 'v1/orders?limit=20' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      return api('GET', path).then(function (answer) {
        (answer.data || []).forEach(function (order) { list.appendChild(orderRow(order)); });
        cursor = answer.next_cursor || null;
        more.hidden = !cursor;
        return answer;
      });
    }
    more.addEventListener('click', function () {
      more.disabled = true;
      problem.replaceChildren();
      page().catch(function (err) {
        problem.appendChild(errorBox(err));
      }).then(function () {
        more.disabled = false;
      });
    });
    return Promise.all([loadServices().catch(function () { return []; }), page()])
      .then(function (results) {
        var empty = (results[1].data || []).length === 0;
        return h('section', { class: 'wrap page' },
          h('h1', { text: t('orders.title') }),
          empty ? h('div', { class: 'card empty' },
            h('p', { text: t('orders.empty') }),
            h('a', { class: 'button primary', href: '#/', text: t('orders.browse') })) : list,
          problem, more);
      });
  }

  function orderRow(order) {
    return h('li', null,
      h('a', { class: 'card order-row', href: '#/orders/' + encode(order.id),
               'data-order': order.id },
        h('span', { class: 'order-row-main' },
          h('span', { class: 'order-row-name', text: serviceName(order.service_id) }),
          h('span', { class: 'muted small', text: F.dateTime(order.placed_at, state.lang) +
                                                  ' · ' + order.id })),
        h('span', { class: 'order-row-side' },
          h('span', { class: 'amount', text: money(order.amount_minor, order.currency) }),
          stateBadge(order.state))));
  }

  /* ---------- one order: live state, cancel panel, receipt ---------- */

  function viewOrder(ctx, route) {
    return Promise.all([
      api('GET', 'v1/orders/' + encode(route.id)),
      loadServices().catch(function () { return []; })
    ]).then(function (results) {
      return orderPage(ctx, results[0]);
    }, function (err) {
      if (err.status === 404) {
        return h('section', { class: 'wrap page' },
          h('p', null, h('a', { href: '#/orders', text: t('order.back') })),
          h('h1', { text: t('order.title') }),
          errorBox(err, null, t('order.notfound')));
      }
      throw err;
    });
  }

  function orderPage(ctx, first) {
    var order = first;
    var events = {};
    var unit = serviceUnit(order.service_id);

    /* Header and facts. */
    var badge = h('span');
    var meta = h('dl', { class: 'pairs meta' });
    var heldNote = h('p', { class: 'muted small' });

    /* Steps and progress. */
    var steps = h('ol', { class: 'steps' });
    var progressText = h('p', { class: 'progress-text' });
    var bar = h('div', { class: 'bar-fill' });
    var barWrap = h('div', {
      class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-labelledby': 'progress-text'
    }, bar);
    progressText.id = 'progress-text';
    var statusSection = h('section', { class: 'card stack status-card',
                                       'aria-labelledby': 'steps-heading' },
      h('h2', { id: 'steps-heading', class: 'visually-hidden', text: t('order.steps') }),
      steps,
      h('div', { class: 'progress', 'aria-live': 'polite', 'aria-atomic': 'true' },
        progressText),
      barWrap);

    /* Live connection status. */
    var live = h('p', { class: 'live muted small' });

    /* Cancel panel. */
    var quoteHeading = h('h2', { id: 'quote-heading', text: t('quote.title') });
    var quoteVerdict = h('p', { class: 'verdict' });
    var quoteWhy = h('p', { class: 'why' });
    var quoteMessage = h('p', { class: 'message' });
    var quoteTable = h('dl', { class: 'breakdown' });
    var countdown = h('p', { class: 'countdown', role: 'timer', 'aria-live': 'off' });
    var cancelButton = h('button', { type: 'button', class: 'button danger',
                                     text: t('quote.button') });
    var quotePanel = h('section', { class: 'card stack quote', 'aria-labelledby': 'quote-heading',
                                    'data-panel': 'quote' },
      quoteHeading,
      h('div', { 'aria-live': 'polite', 'aria-atomic': 'true', class: 'stack-tight' },
        quoteVerdict, quoteWhy, quoteMessage, quoteTable),
      countdown,
      h('p', { class: 'muted small', text: t('quote.asof') }),
      cancelButton);

    /* Settlement receipt. */
    var receipt = h('section', { class: 'card stack receipt', 'aria-labelledby': 'receipt-heading',
                                 'data-panel': 'settlement', hidden: true });

    /* Timeline. */
    var timeline = h('ol', { class: 'timeline' });
    var timelineSection = h('section', { class: 'card stack', 'aria-labelledby': 'tl-heading' },
      h('h2', { id: 'tl-heading', text: t('order.timeline') }),
      timeline);

    /* Rules snapshot. */
    var rulesSection = h('details', { class: 'card rules-snapshot' },
      h('summary', { text: t('order.rules') }),
      h('p', { class: 'summary', text: order.policy ? order.policy.summary : '' }),
      order.policy ? policyFacts(order.policy) : null);

    var dialog = confirmDialog(ctx, function () { return order; }, function (updated) {
      update(updated);
    });

    cancelButton.addEventListener('click', function () {
      dialog.open(order.cancel);
    });

    function breakdownRows(dl, quote, paid, currency) {
      dl.replaceChildren(
        row(t('quote.paid'), money(paid, currency), 'paid'),
        row(t('quote.charged'), money(quote.charged_minor, currency), 'charged'),
        row(t('quote.fee'), money(quote.fee_minor, currency), 'fee'),
        row(t('quote.refund'), money(quote.refund_minor, currency), 'refund'));
    }

    function row(label, value, name) {
      return h('div', { class: 'line line-' + name, 'data-line': name },
        h('dt', { text: label }), h('dd', { class: 'amount', text: value }));
    }

    function renderSteps() {
      steps.replaceChildren();
      var s = order.state;
      var terminalOther = s === 'cancelled' || s === 'failed';
      var reached = reachedIndex();
      STEP_STATES.forEach(function (name, index) {
        if (terminalOther && index > reached) {
          return;
        }
        var status = 'todo';
        if (s === 'completed' || terminalOther || index < reached) {
          status = 'done';
        } else if (index === reached) {
          status = 'current';
        }
        steps.appendChild(stepItem(name, status, !terminalOther && index === reached));
      });
      if (terminalOther) {
        steps.appendChild(stepItem(s, 'end-' + s, true));
      }
    }

    /* The furthest of the four normal steps the order reached (from its events). */
    function reachedIndex() {
      var idx = STEP_STATES.indexOf(order.state);
      if (idx >= 0) {
        return idx;
      }
      var best = 0;
      Object.keys(events).forEach(function (seq) {
        var i = STEP_STATES.indexOf(events[seq].state);
        if (i > best && i < 3) {
          best = i;
        }
      });
      if (order.delivered > 0) {
        best = Math.max(best, 2);
      }
      return best;
    }

    function stepItem(name, status, current) {
      return h('li', { class: 'step ' + status, 'aria-current': current ? 'step' : null,
                       'data-step': name },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        h('span', { class: 'step-label', text: t('state.' + name) }));
    }

    function renderQuote() {
      var q = order.cancel || {};
      quoteVerdict.textContent = q.allowed ? t('quote.allowed') : t('quote.denied');
      quoteVerdict.className = 'verdict ' + (q.allowed ? 'yes' : 'no');
      quoteWhy.textContent = q.reason ? t('reason.' + q.reason) : '';
      quoteMessage.textContent = q.message || '';
      if (q.allowed) {
        breakdownRows(quoteTable, q, order.amount_minor, order.currency);
        quoteTable.hidden = false;
      } else {
        quoteTable.hidden = true;
      }
      cancelButton.hidden = !q.allowed;
      tick();
    }

    var endedFor = null;
    var endedTicks = 0;
    function tick() {
      var q = order.cancel || {};
      if (!OPEN_STATES[order.state] || !q.rule_changes_at) {
        countdown.hidden = true;
        return;
      }
      var left = Date.parse(q.rule_changes_at) - Date.now();
      countdown.hidden = false;
      if (left > 0) {
        countdown.replaceChildren(
          h('span', { class: 'countdown-main', text: t('quote.countdown', {
            time: F.countdown(left) }) }),
          ' ',
          h('span', { class: 'muted', text: t('quote.countdown.until', {
            time: F.clockTime(q.rule_changes_at, state.lang) }) }));
        return;
      }
      countdown.replaceChildren(h('span', { text: t('quote.countdown.ending') }));
      /* Time is up: ask the server for the new quote now, then every 5 s while the server
       * still reports the old rule (its clock may run a little behind this device's). */
      if (endedFor !== q.rule_changes_at) {
        endedFor = q.rule_changes_at;
        endedTicks = 0;
        refresh();
      } else if (++endedTicks % 5 === 0) {
        refresh();
      }
    }

    function renderReceipt() {
      var st = order.settlement;
      if (!st) {
        receipt.hidden = true;
        return;
      }
      var dl = h('dl', { class: 'breakdown' });
      dl.append(
        row(t('quote.charged'), money(st.charged_minor, order.currency), 'charged'),
        row(t('quote.fee'), money(st.fee_minor, order.currency), 'fee'),
        row(t('quote.refund'), money(st.refund_minor, order.currency), 'refund'),
        row(t('settlement.paid'), money(order.amount_minor, order.currency), 'paid'));
      receipt.replaceChildren(
        h('h2', { id: 'receipt-heading', tabindex: '-1', text: t('settlement.title') }),
        h('p', { class: 'why', text: t('settlement.' + st.reason) }),
        dl,
        h('p', { class: 'equation', 'data-equation': '', text: t('settlement.equation', {
          charged: money(st.charged_minor, order.currency),
          fee: money(st.fee_minor, order.currency),
          refund: money(st.refund_minor, order.currency),
          paid: money(order.amount_minor, order.currency) }) }),
        h('p', { class: 'muted small', text: t('settlement.at', {
          time: F.dateTime(st.at, state.lang) }) }));
      receipt.hidden = false;
    }

    function renderMeta() {
      badge.replaceChildren(stateBadge(order.state));
      meta.replaceChildren(
        pair(t('order.id'), order.id, 'mono'),
        pair(t('order.target'), order.target),
        pair(t('order.quantity'), order.quantity + (unit ? ' ' + unit : '')),
        pair(t('order.amount'), money(order.amount_minor, order.currency), 'amount'),
        pair(t('order.placed'), F.dateTime(order.placed_at, state.lang)));
      heldNote.textContent = OPEN_STATES[order.state]
        ? t('order.held', { amount: money(order.amount_minor, order.currency) }) : '';
      heldNote.hidden = !OPEN_STATES[order.state];
    }

    function pair(label, value, cls) {
      return h('div', null, h('dt', { text: label }), h('dd', { class: cls || null, text: value }));
    }

    function renderProgress() {
      var pct = F.percent(order.delivered, order.quantity);
      progressText.textContent = t('order.progress', { delivered: order.delivered,
                                                       quantity: order.quantity, unit: unit })
        .trim() + ' · ' + t('order.percent', { percent: pct });
      bar.style.width = pct + '%';
      barWrap.setAttribute('aria-valuemax', String(order.quantity));
      barWrap.setAttribute('aria-valuenow', String(order.delivered));
      barWrap.setAttribute('aria-valuetext', progressText.textContent);
      barWrap.classList.toggle('done', order.state === 'completed');
    }

    function renderTimeline() {
      var list = Object.keys(events).map(function (k) { return events[k]; });
      list.sort(function (a, b) { return b.seq - a.seq; });
      timeline.replaceChildren();
      if (list.length === 0) {
        timeline.appendChild(h('li', { class: 'muted', text: t('timeline.empty') }));
        return;
      }
      /* A run of progress reports shows as its latest one: the timeline stays readable
       * for an order delivered over hours (the progress bar shows the rest). */
      var previous = null;
      list.forEach(function (ev) {
        var skip = ev.type === 'progress' && previous === 'progress';
        previous = ev.type;
        if (skip) {
          return;
        }
        timeline.appendChild(h('li', { class: 'event event-' + ev.type, 'data-type': ev.type },
          h('span', { class: 'event-text', text: eventText(ev) }),
          h('span', { class: 'muted small', text: F.dateTime(ev.at, state.lang) + ' · ' +
                                                   t('actor.' + ev.actor) })));
      });
    }

    function eventText(ev) {
      var params = { amount: money(order.amount_minor, order.currency),
                     delivered: ev.delivered, quantity: order.quantity, type: ev.type };
      var key = 'event.' + ev.type;
      var text = I18N.en[key] !== undefined ? t(key, params) : t('event.other', params);
      if (typeof ev.detail === 'string' && ev.detail && ev.type !== 'progress') {
        text += state.lang === 'zh' ? '（' + ev.detail + '）' : ' (' + ev.detail + ')';
      }
      return text;
    }

    var wasOpen = !!OPEN_STATES[order.state];
    function update(next) {
      if (!ctx.alive || !next) {
        return;
      }
      order = next;
      renderMeta();
      renderSteps();
      renderProgress();
      var open = !!OPEN_STATES[order.state];
      quotePanel.hidden = !open;
      if (open) {
        renderQuote();
      } else {
        countdown.hidden = true;
        dialog.orderEnded();
      }
      renderReceipt();
      if (wasOpen && !open) {
        /* The server ends the stream itself after the terminal event; until then the
         * stream stays open so the timeline receives that event. Polling stops now, and
         * one last read of the events covers whatever the stream may not deliver. */
        if (pollId !== null) {
          clearInterval(pollId);
          pollId = null;
        }
        setLive(t('order.ended'), 'muted');
        loadEventsJson();
      }
      wasOpen = open;
    }

    /* Refresh the order view; concurrent calls coalesce into one more fetch. */
    var fetching = false;
    var again = false;
    function refresh() {
      if (!ctx.alive) {
        return Promise.resolve();
      }
      if (fetching) {
        again = true;
        return Promise.resolve();
      }
      fetching = true;
      var loop = function () {
        again = false;
        return api('GET', 'v1/orders/' + encode(order.id)).then(function (o) {
          update(o);
          if (again && ctx.alive) {
            return loop();
          }
          return null;
        });
      };
      return loop().catch(function (err) {
        if (ctx.alive && err && err.name !== 'AbortError') {
          live.textContent = err.message;
        }
      }).then(function () {
        fetching = false;
      });
    }

    function addEvent(ev) {
      if (!ev || typeof ev.seq !== 'number') {
        return;
      }
      events[ev.seq] = ev;
    }

    /* Live updates: the event stream first; polling when the stream is not available. */
    var stream = null;
    var pollId = null;
    var refreshSoon = null;
    function setLive(text, kind) {
      live.textContent = text;
      live.className = 'live small ' + (kind || 'muted');
    }
    function startPolling() {
      if (pollId !== null || !OPEN_STATES[order.state]) {
        return;
      }
      setLive(t('order.polling'), 'muted');
      var eventsFor = null;
      var pollOnce = function () {
        refresh().then(function () {
          /* The timeline is read again only when the order changed. */
          var mark = order.updated_at + '|' + order.delivered + '|' + order.state;
          if (mark !== eventsFor) {
            eventsFor = mark;
            loadEventsJson();
          }
        });
      };
      pollOnce();
      pollId = setInterval(pollOnce, POLL_MS);
      ctx.onEnd(function () {
        if (pollId !== null) {
          clearInterval(pollId);
        }
      });
    }
    function loadEventsJson() {
      var pages = 0;
      var step = function (cursor) {
        var path = 'v1/orders/' + encode(order.id) + '/events?limit=200' +
          (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
        return api('GET', path).then(function (answer) {
          (answer.data || []).forEach(addEvent);
          pages++;
          if (answer.next_cursor && pages < 10 && ctx.alive) {
            return step(answer.next_cursor);
          }
          renderTimeline();
          return null;
        });
      };
      return step(null).catch(function () {});
    }

    if (OPEN_STATES[order.state]) {
      stream = openStream(order.id, {
        onEvent: function (ev) {
          addEvent(ev);
          renderTimeline();
          if (refreshSoon === null) {
            refreshSoon = setTimeout(function () {
              refreshSoon = null;
              refresh();
            }, 60);
          }
        },
        onStatus: function (status) {
          if (status === 'live') {
            setLive(t('order.live'), 'ok');
          } else if (status === 'reconnecting') {
            setLive(t('order.reconnecting'), 'warn');
          } else if (status === 'ended') {
            refresh();
          }
        },
        onFallback: function () {
          stream = null;
          startPolling();
        },
        isDone: function () { return !OPEN_STATES[order.state]; }
      });
      ctx.onEnd(function () {
        if (stream) {
          stream.close();
        }
        if (refreshSoon !== null) {
          clearTimeout(refreshSoon);
        }
      });
      /* A safety net for anything the stream coalesced away. */
      ctx.interval(function () {
        if (OPEN_STATES[order.state]) {
          refresh();
        }
      }, REFRESH_MS);
      ctx.interval(tick, 1000);
    } else {
      loadEventsJson();
    }

    update(order);
    renderTimeline();

    return h('section', { class: 'wrap page order-page', 'data-order': order.id },
      h('p', null, h('a', { href: '#/orders', text: t('order.back') })),
      h('div', { class: 'page-head' },
        h('h1', { text: serviceName(order.service_id) }),
        badge),
      live,
      h('div', { class: 'columns' },
        h('div', { class: 'col-main stack' }, statusSection, quotePanel, receipt,
          timelineSection),
        h('div', { class: 'col-side stack' },
          h('section', { class: 'card stack', 'aria-label': t('order.title') }, meta, heldNote),
          rulesSection)),
      dialog.element);
  }

  /* The confirm step of a cancellation: repeats the exact refund of the quote the buyer
   * opened it with and sends it as expected_refund_minor; on quote_changed it shows the new
   * quote and asks again. */
  function confirmDialog(ctx, getOrder, onOrder) {
    var quote = null;
    var key = null;
    var keyBody = null;
    var title = h('h2', { id: 'confirm-title', text: t('confirm.title') });
    var refundText = h('p', { class: 'confirm-refund', id: 'confirm-refund' });
    var table = h('dl', { class: 'breakdown' });
    var reason = h('input', { id: 'cancel-reason', type: 'text', maxlength: 500,
                              autocomplete: 'off' });
    var alertBox = h('div', { class: 'form-problem', 'aria-live': 'assertive' });
    var yes = h('button', { type: 'button', class: 'button danger', 'data-confirm': 'yes' });
    var no = h('button', { type: 'button', class: 'button secondary', text: t('confirm.no') });
    var dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title',
                               'aria-describedby': 'confirm-refund' },
      h('div', { class: 'stack' },
        title, refundText, table, alertBox,
        h('div', { class: 'field' },
          h('label', { for: 'cancel-reason', text: t('confirm.reason') }), reason),
        h('div', { class: 'actions' }, yes, no)));

    function show(q) {
      var order = getOrder();
      quote = q;
      refundText.textContent = t('confirm.refund', { amount: money(q.refund_minor,
                                                                   order.currency) });
      table.replaceChildren(
        line(t('quote.paid'), money(order.amount_minor, order.currency), 'paid'),
        line(t('quote.charged'), money(q.charged_minor, order.currency), 'charged'),
        line(t('quote.fee'), money(q.fee_minor, order.currency), 'fee'),
        line(t('quote.refund'), money(q.refund_minor, order.currency), 'refund'));
      yes.textContent = t('confirm.yes', { amount: money(q.refund_minor, order.currency) });
      yes.hidden = !q.allowed;
      yes.disabled = false;
    }

    function line(label, value, name) {
      return h('div', { class: 'line line-' + name, 'data-line': name },
        h('dt', { text: label }), h('dd', { class: 'amount', text: value }));
    }

    function close() {
      if (dialog.open) {
        dialog.close();
      }
    }

    no.addEventListener('click', close);
    yes.addEventListener('click', function () {
      var order = getOrder();
      var body = { expected_refund_minor: quote.refund_minor };
      var why = reason.value.trim();
      if (why) {
        body.reason = why;
      }
      var bodyText = JSON.stringify(body);
      if (bodyText !== keyBody) {
        key = randomKey();
        keyBody = bodyText;
      }
      yes.disabled = true;
      yes.textContent = t('confirm.busy');
      alertBox.replaceChildren();
      api('POST', 'v1/orders/' + encode(order.id) + '/cancel', {
        body: body, idempotencyKey: key
      }).then(function (answer) {
        close();
        var done = answer && answer.order ? answer.order : null;
        if (done) {
          showFlash(t('order.cancelled.flash', {
            amount: money(done.settlement ? done.settlement.refund_minor : 0, done.currency)
          }), 'ok');
          onOrder(done);
          var heading = document.getElementById('receipt-heading');
          if (heading) {
            heading.focus();
          }
        }
      }, function (err) {
        if (!ctx.alive) {
          return;
        }
        var old = quote;
        if (err.code === 'quote_changed' && err.detail && err.detail.quote) {
          show(err.detail.quote);
          alertBox.appendChild(h('div', { class: 'notice warn', role: 'alert' },
            h('p', { class: 'notice-title', text: t('confirm.changed.title') }),
            h('p', { text: t('confirm.changed.body', {
              old: money(old.refund_minor, order.currency),
              new: money(err.detail.quote.refund_minor, order.currency) }) })));
          yes.focus();
        } else if (err.code === 'not_cancellable') {
          var q = err.detail && err.detail.quote ? err.detail.quote : null;
          yes.hidden = true;
          alertBox.appendChild(errorBox(err, null, q && q.reason
            ? t('reason.' + q.reason) : t('confirm.notallowed')));
          no.focus();
        } else {
          show(old);
          alertBox.appendChild(errorBox(err));
        }
        /* The page behind shows the latest quote as well. */
        api('GET', 'v1/orders/' + encode(order.id)).then(function (o) {
          if (ctx.alive && o) {
            onOrder(o);
          }
        }, function () {});
      });
    });

    ctx.onEnd(close);
    return {
      element: dialog,
      open: function (q) {
        alertBox.replaceChildren();
        reason.value = '';
        show(q);
        if (typeof dialog.showModal === 'function') {
          dialog.showModal();
        } else {
          dialog.setAttribute('open', '');
        }
        yes.focus();
      },
      orderEnded: function () {
        if (dialog.open && !yes.disabled) {
          close();
        }
      }
    };
  }

  /* Read GET /v1/orders/{id}/events as Server-Sent Events with fetch (it needs the
   * Authorization header, which EventSource cannot send). Reconnects with Last-Event-ID;
   * answers non-2xx or not an event stream, or fails repeatedly: hands over to polling. */
  function openStream(orderId, handlers) {
    var closed = false;
    var controller = null;
    var lastId = null;
    var failures = 0;
    var timer = null;

    function connect() {
      if (closed) {
        return;
      }
      controller = new AbortController();
      var headers = { 'Accept': 'text/event-stream', 'Accept-Language': acceptLanguage(),
                      'Authorization': 'Bearer ' + state.token };
      if (lastId !== null) {
        headers['Last-Event-ID'] = lastId;
      }
      fetch('v1/orders/' + encode(orderId) + '/events', {
        headers: headers, cache: 'no-store', signal: controller.signal
      }).then(function (res) {
        var type = res.headers.get('Content-Type') || '';
        if (!res.ok || !res.body || type.indexOf('text/event-stream') !== 0) {
          if (res.status === 401) {
            sessionExpired();
          }
          try {
            controller.abort();
          } catch (e) { /* Already done. */ }
          fallback();
          return null;
        }
        failures = 0;
        handlers.onStatus('live');
        return readAll(res.body).then(function () {
          ended();
        });
      }).catch(function (e) {
        if (closed) {
          return;
        }
        failures++;
        if (failures >= 5) {
          fallback();
          return;
        }
        handlers.onStatus('reconnecting');
        schedule();
      });
    }

    function readAll(body) {
      var reader = body.getReader();
      var decoder = new TextDecoder('utf-8');
      var feed = sseParser(function (msg) {
        if (msg.id !== null) {
          lastId = msg.id;
        }
        var data = null;
        try {
          data = JSON.parse(msg.data);
        } catch (e) {
          return;
        }
        handlers.onEvent(data);
      });
      var pump = function () {
        return reader.read().then(function (step) {
          if (step.done || closed) {
            feed(decoder.decode(), true);
            return null;
          }
          feed(decoder.decode(step.value, { stream: true }), false);
          return pump();
        });
      };
      return pump();
    }

    function ended() {
      if (closed) {
        return;
      }
      handlers.onStatus('ended');
      /* The server closes the stream after the terminal event; otherwise reconnect. */
      setTimeout(function () {
        if (!closed && !handlers.isDone()) {
          handlers.onStatus('reconnecting');
          schedule();
        }
      }, 300);
    }

    function schedule() {
      var delay = Math.min(10000, 1000 * Math.pow(2, Math.max(0, failures - 1)));
      timer = setTimeout(connect, delay);
    }

    function fallback() {
      if (closed) {
        return;
      }
      closed = true;
      handlers.onFallback();
    }

    connect();
    return {
      close: function () {
        closed = true;
        if (timer !== null) {
          clearTimeout(timer);
        }
        if (controller) {
          try {
            controller.abort();
          } catch (e) { /* Already done. */ }
        }
      }
    };
  }

  /* A parser of the text/event-stream format: feed it text chunks, it calls onMessage with
   * {id, type, data} at every blank line (WHATWG HTML, "Server-sent events"). */
  function sseParser(onMessage) {
    var buffer = '';
    var data = [];
    var type = '';
    var id = null;
    var idSeen = false;
    return function feed(chunk, final) {
      buffer += chunk;
      var lines = [];
      var start = 0;
      for (var i = 0; i < buffer.length; i++) {
        var c = buffer.charAt(i);
        if (c === '\n') {
          lines.push(buffer.slice(start, i));
          start = i + 1;
        } else if (c === '\r') {
          if (i + 1 < buffer.length) {
            lines.push(buffer.slice(start, i));
            if (buffer.charAt(i + 1) === '\n') {
              i++;
            }
            start = i + 1;
          } else if (final) {
            lines.push(buffer.slice(start, i));
            start = i + 1;
          } else {
            break; /* A CR ending the chunk: the next chunk tells whether LF follows. */
          }
        }
      }
      buffer = final ? '' : buffer.slice(start);
      lines.forEach(function (line) {
        if (line === '') {
          if (data.length > 0) {
            onMessage({ id: idSeen ? id : null, type: type || 'message', data: data.join('\n') });
          }
          data = [];
          type = '';
          return;
        }
        if (line.charAt(0) === ':') {
          return;
        }
        var colon = line.indexOf(':');
        var field = colon < 0 ? line : line.slice(0, colon);
        var value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.charAt(0) === ' ') {
          value = value.slice(1);
        }
        if (field === 'data') {
          data.push(value);
        } else if (field === 'event') {
          type = value;
        } else if (field === 'id' && value.indexOf('\u0000') < 0) {
          id = value;
          idSeen = true;
        }
      });
    };
  }

  /* ---------- wallet ---------- */

  function viewWallet(ctx) {
    var list = h('ul', { class: 'entries', role: 'list' });
    var more = h('button', { type: 'button', class: 'button secondary', hidden: true,
                             text: t('wallet.more') });
    var problem = h('div');
    var cursor = null;
    var currency = 'CNY';

    function page() {
      var path = 'v1/wallet/entries?limit=50' +
        (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      return api('GET', path).then(function (answer) {
        (answer.data || []).forEach(function (entry) {
          list.appendChild(entryRow(entry, currency));
        });
        cursor = answer.next_cursor || null;
        more.hidden = !cursor;
        return answer;
      });
    }
    more.addEventListener('click', function () {
      more.disabled = true;
      problem.replaceChildren();
      page().catch(function (err) {
        problem.appendChild(errorBox(err));
      }).then(function () {
        more.disabled = false;
      });
    });

    return api('GET', 'v1/wallet').then(function (wallet) {
      currency = wallet.currency || 'CNY';
      return page().then(function (answer) {
        var empty = (answer.data || []).length === 0;
        return h('section', { class: 'wrap page' },
          h('h1', { text: t('wallet.title') }),
          h('div', { class: 'balances' },
            h('div', { class: 'card balance', 'data-balance': 'available' },
              h('p', { class: 'balance-label', text: t('wallet.available') }),
              h('p', { class: 'balance-amount', text: money(wallet.available_minor, currency) })),
            h('div', { class: 'card balance', 'data-balance': 'held' },
              h('p', { class: 'balance-label', text: t('wallet.held') }),
              h('p', { class: 'balance-amount', text: money(wallet.held_minor, currency) }))),
          h('p', { class: 'muted small', text: t('wallet.heldnote') }),
          h('section', { class: 'stack', 'aria-labelledby': 'entries-heading' },
            h('h2', { id: 'entries-heading', text: t('wallet.entries') }),
            empty ? h('p', { class: 'card empty', text: t('wallet.empty') }) : list,
            problem, more));
      });
    });
  }

  function entryRow(entry, currency) {
    var kindKey = 'kind.' + entry.kind;
    var kind = I18N.en[kindKey] !== undefined ? t(kindKey) : t('kind.other', { kind: entry.kind });
    var positive = F.toBigInt(entry.amount_minor) !== null && F.toBigInt(entry.amount_minor) > 0n;
    return h('li', { class: 'card entry', 'data-entry': entry.id },
      h('div', { class: 'entry-main' },
        h('span', { class: 'entry-kind', text: kind }),
        h('span', { class: 'muted small', text: F.dateTime(entry.at, state.lang) }),
        entry.order_id ? h('a', { href: '#/orders/' + encode(entry.order_id), class: 'small',
                                  text: t('wallet.order', { id: entry.order_id }) }) : null),
      h('div', { class: 'entry-side' },
        h('span', { class: 'amount entry-amount ' + (positive ? 'plus' : 'minus'),
                    text: money(entry.amount_minor, currency, { sign: true }) }),
        h('span', { class: 'muted small', text: t('wallet.balanceafter', {
          amount: money(entry.balance_after_minor, currency) }) })));
  }

  function viewNotFound() {
    return h('section', { class: 'wrap page narrow' },
      h('h1', { text: t('err.notfound.page') }),
      h('p', null, h('a', { class: 'button primary', href: '#/', text: t('err.home') })));
  }

  /* ---------- start ---------- */

  function setLang(lang) {
    if (lang === state.lang) {
      return;
    }
    state.lang = lang;
    storageSet(LANG_KEY, lang);
    render();
  }

  function signOut() {
    state.token = null;
    storageSet(TOKEN_KEY, null);
    state.serviceCache = {};
    state.flash = { text: t('signin.signedout'), kind: 'ok' };
    go('#/signin');
  }

  function showUnexpected() {
    var main = $('main');
    if (!main) {
      return;
    }
    var hasContent = main.querySelector('h1');
    if (hasContent) {
      showFlash(t('err.unexpected'), 'error');
      return;
    }
    main.replaceChildren(h('section', { class: 'wrap page' },
      h('h1', { text: t('err.title') }),
      h('div', { class: 'notice error', role: 'alert' },
        h('p', { class: 'notice-title', text: t('err.unexpected') }),
        h('button', { type: 'button', class: 'button secondary', text: t('err.reload'),
                      onclick: function () { location.reload(); } }))));
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-lang]'), function (el) {
      el.addEventListener('click', function () { setLang(el.getAttribute('data-lang')); });
    });
    $('signout').addEventListener('click', signOut);
    $('skip').addEventListener('click', function (ev) {
      ev.preventDefault();
      var main = $('main');
      main.focus();
    });
    window.addEventListener('hashchange', render);
    window.addEventListener('error', showUnexpected);
    window.addEventListener('unhandledrejection', function (ev) {
      if (ev.reason && ev.reason.name === 'AbortError') {
        return;
      }
      showUnexpected();
    });
    render();
  }

  /* Exposed for the browser tests' own checks of the parser; not used by the page. */
  window.FO_APP = { sseParser: sseParser };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
